package io.lakehouse;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Ascending$;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
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
import org.apache.spark.sql.execution.metric.SQLMetric;
import org.apache.spark.sql.execution.metric.SQLMetrics;
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
 * <p>Its input is the union of spine rows (kind not 0) and feature rows (kind 0). Spark shuffles
 * it by the partition columns (the keys, and a time bucket for long histories) and sorts each
 * partition by one long, the prefix: a hash of the partition columns in the high 32 bits, the
 * time's second in the low 32 (so Spark radix-sorts it). The operator orders the few rows that
 * share a prefix by time, then kind (a feature row before a spine row at the same instant), and
 * walks each key's rows in that order keeping, per carried column, the newest non-null value
 * (a feature table's whole row, as a struct). It emits only the spine rows, each with those
 * values in fresh output columns.
 *
 * <p>It computes what {@code last(col, ignorenulls) OVER (PARTITION BY keys ORDER BY time, kind
 * ROWS UNBOUNDED PRECEDING)} and a filter on the spine rows compute, without the window's
 * buffering of each key's rows, without an output row for every feature row, and with a radix
 * sort on one long in place of a comparison sort on (keys, time, kind). Memory: one run of equal
 * prefixes and the newest values of the keys of one hash group. Registered by {@link
 * LakehouseExtensions} as a planner strategy; Python builds it through {@link #apply}.
 */
public final class AsOfFill {
  private AsOfFill() {}

  /**
   * {@code df} filled: the {@code carried} columns (comma-separated names) are replaced by the
   * {@code outputs} columns; only rows whose int column {@code kind} is not 0 come back. {@code
   * prefix} names the long sort column described above, {@code time} the timestamp column.
   */
  public static org.apache.spark.sql.Dataset<Row> apply(
      org.apache.spark.sql.Dataset<Row> df,
      String partition,
      String prefix,
      String time,
      String kind,
      String carried,
      String outputs) {
    Dataset<Row> ds = (Dataset<Row>) df;
    LogicalPlan child = ds.queryExecution().analyzed();
    List<Attribute> in = CollectionConverters.asJava(child.output());
    List<Expression> parts = new ArrayList<>();
    for (String name : split(partition)) parts.add(find(in, name));
    List<String> carriedNames = split(carried);
    List<String> outNames = split(outputs);
    List<Attribute> out = new ArrayList<>();
    for (Attribute a : in) {
      if (!carriedNames.contains(a.name())) out.add(a);
    }
    List<Expression> carry = new ArrayList<>();
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
    Node node =
        new Node(
            child,
            seq(parts),
            find(in, prefix),
            find(in, time),
            find(in, kind),
            seq(carry),
            seq(out));
    return Dataset.ofRows(ds.sparkSession(), node);
  }

  /** The strategy that plans {@link Node} as {@link Exec}. */
  public static SparkStrategy strategy() {
    return new SparkStrategy() {
      @Override
      public Seq<SparkPlan> apply(LogicalPlan plan) {
        if (!(plan instanceof Node n)) return seq(List.of());
        SparkPlan child = planLater(n.child);
        return seq(List.of(new Exec(child, n.args)));
      }
    };
  }

  private static List<String> split(String names) {
    return names.isEmpty() ? List.of() : List.of(names.split(","));
  }

  private static Attribute find(List<Attribute> in, String name) {
    for (Attribute a : in) {
      if (a.name().equals(name)) return a;
    }
    throw new IllegalArgumentException("AsOfFill: no column " + name + " in " + in);
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

  /**
   * The operators' arguments after the child. Catalyst copies a node through its constructor
   * from its product elements, so each node takes them one by one and holds them here.
   */
  record Args(
      Seq<Expression> partition,
      Expression prefix,
      Expression time,
      Expression kind,
      Seq<Expression> carried,
      Seq<Attribute> out)
      implements java.io.Serializable {
    Object element(Object child, int n) {
      Object[] all = {child, partition, prefix, time, kind, carried, out};
      return all[n];
    }
  }

  /** The logical operator; its output is the child's, the carried columns replaced. */
  public static final class Node extends LogicalPlan {
    final LogicalPlan child;
    final Args args;

    public Node(LogicalPlan child, Seq<Expression> partition, Expression prefix, Expression time,
        Expression kind, Seq<Expression> carried, Seq<Attribute> out) {
      this(child, new Args(partition, prefix, time, kind, carried, out));
    }

    Node(LogicalPlan child, Args args) {
      this.child = child;
      this.args = args;
    }

    @Override
    public Seq<Attribute> output() {
      return args.out;
    }

    @Override
    public AttributeSet producedAttributes() {
      return produced(args.out, child.outputSet());
    }

    @Override
    public Seq<LogicalPlan> children() {
      return seq(List.of(child));
    }

    @Override
    public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> children) {
      return new Node(children.apply(0), args);
    }

    @Override
    public int productArity() {
      return 7;
    }

    @Override
    public Object productElement(int n) {
      return args.element(child, n);
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
    final Args args;
    private scala.collection.immutable.Map<String, SQLMetric> metrics;

    public Exec(SparkPlan child, Seq<Expression> partition, Expression prefix, Expression time,
        Expression kind, Seq<Expression> carried, Seq<Attribute> out) {
      this(child, new Args(partition, prefix, time, kind, carried, out));
    }

    Exec(SparkPlan child, Args args) {
      this.child = child;
      this.args = args;
    }

    @Override
    public Seq<Attribute> output() {
      return args.out;
    }

    @Override
    public AttributeSet producedAttributes() {
      return produced(args.out, child.outputSet());
    }

    @Override
    public Seq<SparkPlan> children() {
      return seq(List.of(child));
    }

    @Override
    public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> children) {
      return new Exec(children.apply(0), args);
    }

    @Override
    public Seq<Distribution> requiredChildDistribution() {
      Option<Object> none = Option.empty();
      return seq(List.of(ClusteredDistribution.apply(args.partition, false, none)));
    }

    @Override
    public Seq<Seq<SortOrder>> requiredChildOrdering() {
      SortOrder ascending =
          new SortOrder(
              args.prefix,
              Ascending$.MODULE$,
              Ascending$.MODULE$.defaultNullOrdering(),
              seq(List.of()));
      return seq(List.of(seq(List.of(ascending))));
    }

    @Override
    public Partitioning outputPartitioning() {
      return child.outputPartitioning();
    }

    /** The rows it emits (the spine rows), shown in the Spark UI's SQL tab. */
    @Override
    public scala.collection.immutable.Map<String, SQLMetric> metrics() {
      if (metrics == null) {
        SQLMetric rows = SQLMetrics.createMetric(sparkContext(), "number of output rows");
        metrics = scala.collection.immutable.Map$.MODULE$.<String, SQLMetric>empty()
            .updated("numOutputRows", rows);
      }
      return metrics;
    }

    @Override
    public RDD<InternalRow> doExecute() {
      Exec plan = this;
      SQLMetric emitted = metrics().apply("numOutputRows");
      Function1<Iterator<InternalRow>, Iterator<InternalRow>> fill =
          (Function1<Iterator<InternalRow>, Iterator<InternalRow>> & java.io.Serializable)
              rows -> new Filler(rows, plan, emitted);
      return child
          .execute()
          .mapPartitionsInternal(fill, false, ClassTag$.MODULE$.apply(InternalRow.class));
    }

    @Override
    public int productArity() {
      return 7;
    }

    @Override
    public Object productElement(int n) {
      return args.element(child, n);
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

  /**
   * One partition's pass. Rows arrive sorted by the prefix only (a radix sort): rows of one key
   * share the prefix's high half, so a group of equal high halves holds whole keys (usually one,
   * more when their hashes collide); the low half orders them by second. Rows with an equal prefix
   * (a run: one group, one second) are sorted here by time, then kind. The newest values are kept
   * per key of the current group, so colliding keys never see each other's rows.
   */
  private static final class Filler extends AbstractIterator<InternalRow> {
    private final Iterator<InternalRow> rows;
    private final UnsafeProjection keyOf;
    private final UnsafeProjection project;
    private final UnsafeProjection unsafe;
    private final int prefixAt;
    private final int timeAt;
    private final int kindAt;
    private final int[] carriedAt;
    private final int[] widths;
    private final Comparator<UnsafeRow> byTimeThenKind;
    private final HashMap<UnsafeRow, State> states = new HashMap<>();
    private final ArrayList<UnsafeRow> run = new ArrayList<>();
    private final GenericInternalRow newest;
    private final JoinedRow joined = new JoinedRow();
    private final SQLMetric emitted;
    private int position;
    private UnsafeRow ahead;
    private long group;
    private boolean started;
    private State last;
    private InternalRow next;

    /** One key's newest value of each carried column. */
    private record State(UnsafeRow key, InternalRow[] newest) {}

    Filler(Iterator<InternalRow> rows, Exec plan, SQLMetric emitted) {
      this.emitted = emitted;
      List<Attribute> in = CollectionConverters.asJava(plan.child.output());
      List<Expression> keys = new ArrayList<>();
      for (Expression e : CollectionConverters.asJava(plan.args.partition)) keys.add(bind(e, in));
      List<Expression> carry = CollectionConverters.asJava(plan.args.carried);
      this.carriedAt = new int[carry.size()];
      this.widths = new int[carry.size()];
      for (int i = 0; i < carriedAt.length; i++) {
        carriedAt[i] = in.indexOf((Attribute) carry.get(i));
        widths[i] = ((StructType) carry.get(i).dataType()).size();
      }
      // Output columns: the child's by position, then the filled values after them.
      List<Expression> project = new ArrayList<>();
      int filled = 0;
      for (Attribute a : CollectionConverters.asJava(plan.args.out)) {
        int at = in.indexOf(a);
        project.add(
            at >= 0
                ? new BoundReference(at, a.dataType(), a.nullable())
                : new BoundReference(in.size() + filled++, a.dataType(), true));
      }
      this.rows = rows;
      this.keyOf = UnsafeProjection.create(AsOfFill.seq(keys));
      this.project = UnsafeProjection.create(AsOfFill.seq(project));
      this.unsafe = UnsafeProjection.create(plan.child.schema());
      this.prefixAt = in.indexOf((Attribute) plan.args.prefix);
      this.timeAt = in.indexOf((Attribute) plan.args.time);
      this.kindAt = in.indexOf((Attribute) plan.args.kind);
      this.newest = new GenericInternalRow(carriedAt.length);
      int t = timeAt;
      int k = kindAt;
      Comparator<UnsafeRow> nullsFirst = Comparator.comparing(r -> !r.isNullAt(t));
      this.byTimeThenKind =
          nullsFirst
              .thenComparingLong(r -> r.isNullAt(t) ? 0 : r.getLong(t))
              .thenComparingInt(r -> r.getInt(k));
    }

    private static Expression bind(Expression e, List<Attribute> in) {
      return new BoundReference(in.indexOf((Attribute) e), e.dataType(), e.nullable());
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (position == run.size() && !nextRun()) return false;
        UnsafeRow row = run.get(position++);
        InternalRow[] values = stateOf(row);
        if (row.getInt(kindAt) == 0) {
          for (int i = 0; i < carriedAt.length; i++) {
            if (!row.isNullAt(carriedAt[i])) values[i] = row.getStruct(carriedAt[i], widths[i]);
          }
        } else {
          for (int i = 0; i < carriedAt.length; i++) newest.update(i, values[i]);
          next = project.apply(joined.apply(row, newest));
          emitted.add(1L);
        }
      }
      return true;
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) throw new java.util.NoSuchElementException();
      InternalRow row = next;
      next = null;
      return row;
    }

    /** Reads the next run of equal prefixes (copies: the sorter reuses its rows). */
    private boolean nextRun() {
      run.clear();
      position = 0;
      UnsafeRow first = ahead != null ? ahead : rows.hasNext() ? copy(rows.next()) : null;
      ahead = null;
      if (first == null) return false;
      run.add(first);
      long prefix = first.getLong(prefixAt);
      while (rows.hasNext()) {
        UnsafeRow row = copy(rows.next());
        if (row.getLong(prefixAt) != prefix) {
          ahead = row;
          break;
        }
        run.add(row);
      }
      if (run.size() > 1) run.sort(byTimeThenKind);
      if (!started || prefix >>> 32 != group) {
        started = true;
        group = prefix >>> 32;
        states.clear();
        last = null;
      }
      return true;
    }

    private UnsafeRow copy(InternalRow row) {
      return row instanceof UnsafeRow u ? u.copy() : unsafe.apply(row).copy();
    }

    private InternalRow[] stateOf(UnsafeRow row) {
      UnsafeRow key = keyOf.apply(row);
      if (last != null && last.key.equals(key)) return last.newest;
      State state = states.get(key);
      if (state == null) {
        state = new State(key.copy(), new InternalRow[carriedAt.length]);
        states.put(state.key, state);
      }
      last = state;
      return state.newest;
    }
  }
}
