package io.lakehouse;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Ascending$;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.ExprId;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.physical.ClusteredDistribution;
import org.apache.spark.sql.catalyst.plans.physical.Distribution;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.classic.Dataset;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructType;
import scala.Function1;
import scala.Option;
import scala.collection.AbstractIterator;
import scala.collection.Iterator;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * The point-in-time join's forward fill (lakehouse/features/pit.py) as one streaming operator.
 *
 * <p>Its input is the union of spine rows and feature rows; Spark shuffles it by the partition
 * columns (the keys, and a time bucket for long histories) and sorts each partition by those
 * columns, then by the order columns (time, then kind: a feature row sorts before a spine row
 * at the same instant). Walking that order, the operator keeps, per carried column, the newest
 * non-null value seen in the current key (a feature table's whole row, as a struct) and emits
 * only the spine rows (kind not 0), each with those values in fresh output columns.
 *
 * <p>It is what {@code last(col, ignorenulls) OVER (PARTITION BY keys ORDER BY time, kind ROWS
 * UNBOUNDED PRECEDING)} followed by a filter on the spine rows computes, without the window's
 * buffering of each key's rows and without computing an output row for every feature row.
 * Registered by {@link LakehouseExtensions} as a planner strategy; Python builds it through
 * {@link #apply}.
 */
public final class AsOfFill {
  private AsOfFill() {}

  /**
   * {@code df} filled: {@code carried} columns (comma-separated names) are replaced by {@code
   * outputs} holding the newest non-null value so far in the partition; only rows whose {@code
   * kind} (an int column) is not 0 come back.
   */
  public static org.apache.spark.sql.Dataset<Row> apply(
      org.apache.spark.sql.Dataset<Row> df,
      String partition,
      String order,
      String kind,
      String carried,
      String outputs) {
    Dataset<Row> ds = (Dataset<Row>) df;
    LogicalPlan child = ds.queryExecution().analyzed();
    List<Attribute> in = CollectionConverters.asJava(child.output());
    List<Expression> parts = new ArrayList<>();
    for (String name : split(partition)) parts.add(find(in, name));
    List<SortOrder> sort = new ArrayList<>();
    for (String name : split(order)) sort.add(ascending(find(in, name)));
    List<Expression> carry = new ArrayList<>();
    List<String> outNames = split(outputs);
    List<Attribute> out = new ArrayList<>();
    for (Attribute a : in) {
      if (!split(carried).contains(a.name())) out.add(a);
    }
    List<String> carriedNames = split(carried);
    for (int i = 0; i < carriedNames.size(); i++) {
      Attribute a = find(in, carriedNames.get(i));
      carry.add(a);
      out.add(
          new AttributeReference(
              outNames.get(i),
              a.dataType(),
              true,
              Metadata.empty(),
              NamedExpression.newExprId(),
              seq(List.<String>of())));
    }
    Node node = new Node(child, seq(parts), seq(sort), find(in, kind), seq(carry), seq(out));
    return Dataset.ofRows(ds.sparkSession(), node);
  }

  /** The strategy that plans {@link Node} as {@link Exec}. */
  public static SparkStrategy strategy() {
    return new SparkStrategy() {
      @Override
      public Seq<SparkPlan> apply(LogicalPlan plan) {
        if (!(plan instanceof Node n)) return seq(List.of());
        return seq(
            List.of(new Exec(planLater(n.child), n.partition, n.order, n.kind, n.carried, n.out)));
      }
    };
  }

  private static List<String> split(String names) {
    return names.isEmpty() ? List.of() : Arrays.asList(names.split(","));
  }

  private static Attribute find(List<Attribute> in, String name) {
    for (Attribute a : in) {
      if (a.name().equals(name)) return a;
    }
    throw new IllegalArgumentException("AsOfFill: no column " + name + " in " + in);
  }

  private static SortOrder ascending(Expression e) {
    return new SortOrder(
        e, Ascending$.MODULE$, Ascending$.MODULE$.defaultNullOrdering(), seq(List.of()));
  }

  /** The attributes of {@code out} that {@code in} lacks: the filled columns. */
  static AttributeSet produced(Seq<Attribute> out, AttributeSet in) {
    List<Expression> fresh = new ArrayList<>();
    for (Attribute a : CollectionConverters.asJava(out)) {
      if (!in.contains(a)) fresh.add(a);
    }
    return AttributeSet.apply(CollectionConverters.asScala(fresh));
  }

  static <T> Seq<T> seq(List<T> items) {
    return CollectionConverters.asScala(items).toSeq();
  }

  /** The logical operator; its output is the child's, the carried columns replaced. */
  public static final class Node extends LogicalPlan {
    final LogicalPlan child;
    final Seq<Expression> partition;
    final Seq<SortOrder> order;
    final Expression kind;
    final Seq<Expression> carried;
    final Seq<Attribute> out;

    public Node(
        LogicalPlan child,
        Seq<Expression> partition,
        Seq<SortOrder> order,
        Expression kind,
        Seq<Expression> carried,
        Seq<Attribute> out) {
      this.child = child;
      this.partition = partition;
      this.order = order;
      this.kind = kind;
      this.carried = carried;
      this.out = out;
    }

    @Override
    public Seq<Attribute> output() {
      return out;
    }

    @Override
    public AttributeSet producedAttributes() {
      return produced(out, child.outputSet());
    }

    @Override
    public Seq<LogicalPlan> children() {
      return seq(List.of(child));
    }

    @Override
    public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> children) {
      return new Node(children.apply(0), partition, order, kind, carried, out);
    }

    @Override
    public int productArity() {
      return 6;
    }

    @Override
    public Object productElement(int n) {
      return switch (n) {
        case 0 -> child;
        case 1 -> partition;
        case 2 -> order;
        case 3 -> kind;
        case 4 -> carried;
        case 5 -> out;
        default -> throw new IndexOutOfBoundsException(String.valueOf(n));
      };
    }

    @Override
    public boolean canEqual(Object that) {
      return that instanceof Node;
    }

    @Override
    public String nodeName() {
      return "AsOfFill";
    }
  }

  /** The physical operator: a streaming pass over each sorted partition. */
  public static final class Exec extends SparkPlan {
    final SparkPlan child;
    final Seq<Expression> partition;
    final Seq<SortOrder> order;
    final Expression kind;
    final Seq<Expression> carried;
    final Seq<Attribute> out;

    public Exec(
        SparkPlan child,
        Seq<Expression> partition,
        Seq<SortOrder> order,
        Expression kind,
        Seq<Expression> carried,
        Seq<Attribute> out) {
      this.child = child;
      this.partition = partition;
      this.order = order;
      this.kind = kind;
      this.carried = carried;
      this.out = out;
    }

    @Override
    public Seq<Attribute> output() {
      return out;
    }

    @Override
    public AttributeSet producedAttributes() {
      return produced(out, child.outputSet());
    }

    @Override
    public Seq<SparkPlan> children() {
      return seq(List.of(child));
    }

    @Override
    public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> children) {
      return new Exec(children.apply(0), partition, order, kind, carried, out);
    }

    @Override
    public Seq<Distribution> requiredChildDistribution() {
      Option<Object> none = Option.empty();
      return seq(List.of(ClusteredDistribution.apply(partition, false, none)));
    }

    @Override
    public Seq<Seq<SortOrder>> requiredChildOrdering() {
      List<SortOrder> sort = new ArrayList<>();
      for (Expression e : CollectionConverters.asJava(partition)) sort.add(ascending(e));
      sort.addAll(CollectionConverters.asJava(order));
      return seq(List.of(seq(sort)));
    }

    @Override
    public Partitioning outputPartitioning() {
      return child.outputPartitioning();
    }

    @Override
    public Seq<SortOrder> outputOrdering() {
      return child.outputOrdering();
    }

    @Override
    public RDD<InternalRow> doExecute() {
      List<Attribute> in = CollectionConverters.asJava(child.output());
      List<Expression> keys = new ArrayList<>();
      for (Expression e : CollectionConverters.asJava(partition)) keys.add(bind(e, in));
      int kindAt = in.indexOf((Attribute) kind);
      List<Expression> carry = CollectionConverters.asJava(carried);
      int[] carriedAt = new int[carry.size()];
      int[] widths = new int[carry.size()];
      for (int i = 0; i < carriedAt.length; i++) {
        carriedAt[i] = in.indexOf((Attribute) carry.get(i));
        widths[i] = ((StructType) carry.get(i).dataType()).size();
      }
      // Output columns: the child's by position, then the filled values after them.
      List<Expression> project = new ArrayList<>();
      int filled = 0;
      for (Attribute a : CollectionConverters.asJava(out)) {
        int at = in.indexOf(a);
        project.add(
            at >= 0
                ? new BoundReference(at, a.dataType(), a.nullable())
                : new BoundReference(in.size() + filled++, a.dataType(), true));
      }
      Seq<Expression> keySeq = seq(keys);
      Seq<Expression> projectSeq = seq(project);
      Function1<Iterator<InternalRow>, Iterator<InternalRow>> fill =
          (Function1<Iterator<InternalRow>, Iterator<InternalRow>> & java.io.Serializable)
              rows -> new Filler(rows, keySeq, projectSeq, kindAt, carriedAt, widths);
      return child.execute().mapPartitionsInternal(fill, false, ClassTag$.MODULE$.apply(InternalRow.class));
    }

    private static Expression bind(Expression e, List<Attribute> in) {
      int at = in.indexOf((Attribute) e);
      return new BoundReference(at, e.dataType(), e.nullable());
    }

    @Override
    public int productArity() {
      return 6;
    }

    @Override
    public Object productElement(int n) {
      return switch (n) {
        case 0 -> child;
        case 1 -> partition;
        case 2 -> order;
        case 3 -> kind;
        case 4 -> carried;
        case 5 -> out;
        default -> throw new IndexOutOfBoundsException(String.valueOf(n));
      };
    }

    @Override
    public boolean canEqual(Object that) {
      return that instanceof Exec;
    }

    @Override
    public String nodeName() {
      return "AsOfFill";
    }
  }

  /** One partition's pass: the spine rows, each joined to the newest carried values. */
  private static final class Filler extends AbstractIterator<InternalRow> {
    private final Iterator<InternalRow> rows;
    private final UnsafeProjection keyOf;
    private final UnsafeProjection project;
    private final int kindAt;
    private final int[] carriedAt;
    private final int[] widths;
    private final GenericInternalRow newest;
    private final JoinedRow joined = new JoinedRow();
    private UnsafeRow key;
    private InternalRow next;

    Filler(
        Iterator<InternalRow> rows,
        Seq<Expression> keys,
        Seq<Expression> project,
        int kindAt,
        int[] carriedAt,
        int[] widths) {
      this.rows = rows;
      this.keyOf = UnsafeProjection.create(keys);
      this.project = UnsafeProjection.create(project);
      this.kindAt = kindAt;
      this.carriedAt = carriedAt;
      this.widths = widths;
      this.newest = new GenericInternalRow(carriedAt.length);
    }

    @Override
    public boolean hasNext() {
      while (next == null && rows.hasNext()) {
        InternalRow row = rows.next();
        UnsafeRow k = keyOf.apply(row);
        if (key == null || !key.equals(k)) {
          key = k.copy();
          for (int i = 0; i < carriedAt.length; i++) newest.setNullAt(i);
        }
        if (row.getInt(kindAt) == 0) {
          for (int i = 0; i < carriedAt.length; i++) {
            if (!row.isNullAt(carriedAt[i])) {
              newest.update(i, row.getStruct(carriedAt[i], widths[i]).copy());
            }
          }
        } else {
          next = project.apply(joined.apply(row, newest));
        }
      }
      return next != null;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new java.util.NoSuchElementException();
      InternalRow row = next;
      next = null;
      return row;
    }
  }
}
