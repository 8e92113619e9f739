package io.lakehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSessionExtensions;
import org.apache.spark.sql.catalyst.analysis.ResolvedTable;
import org.apache.spark.sql.catalyst.plans.logical.*;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.connector.catalog.Identifier;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.catalog.DeltaTableV2;
import org.apache.spark.sql.delta.files.TahoeFileIndex;
import org.apache.spark.sql.execution.datasources.SaveIntoDataSourceCommand;
import org.apache.spark.sql.execution.datasources.v2.DataSourceV2Relation;
import org.apache.spark.sql.internal.SQLConf;
import scala.Function1;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.BoxedUnit;

/**
 * The {@code spark.sql.extensions} entry: a check rule that refuses every analyzed command whose
 * target is a {@code system} table, with LakehouseCatalog's text, and the planner strategy of
 * the point-in-time join's {@link AsOfFill} operator.
 *
 * <p>The plugin alone misses writes whose relation Spark loaded for reading (an INSERT selecting
 * from its own target), DeltaTable API commands and {@code delta.`path`} names. A command's target
 * is any operand naming a system table: a V2 write's table or a resolved table in catalog {@code
 * system}, or a Delta table, log, file index or path under {@code <home>/system}. Commands that
 * only read (DESCRIBE, SHOW, REFRESH, CACHE, CREATE TABLE LIKE) pass; queries are not commands.
 */
public class LakehouseExtensions implements Function1<SparkSessionExtensions, BoxedUnit> {
  private static final Pattern READS =
      Pattern.compile("(Describe|Show|Refresh|Cache|Uncache).*|CreateTableLike");

  @Override
  public BoxedUnit apply(SparkSessionExtensions extensions) {
    extensions.injectCheckRule(session -> plan -> {
      plan.foreach(LakehouseExtensions::check);
      return BoxedUnit.UNIT;
    });
    extensions.injectPlannerStrategy(session -> AsOfFill.strategy());
    return BoxedUnit.UNIT;
  }

  private static BoxedUnit check(LogicalPlan node) {
    if (!(node instanceof Command) || READS.matcher(node.getClass().getSimpleName()).matches()) {
      return BoxedUnit.UNIT;
    }
    Iterable<Object> operands = node instanceof V2WriteCommand w ? List.of(w.table())
        : node instanceof SaveIntoDataSourceCommand c
            ? List.of(c.options().get("path").map(path -> new Path(path)))
        : () -> CollectionConverters.asJava(node.productIterator());
    for (Object operand : operands) {
      String table = target(operand instanceof Option<?> o && o.isDefined() ? o.get() : operand);
      if (table != null) throw LakehouseCatalog.reserved("write to table " + table);
    }
    return BoxedUnit.UNIT;
  }

  /** The {@code system.s.t} name of the table {@code operand} stands for, or null. */
  private static String target(Object operand) {
    if (operand instanceof ResolvedTable t) {
      return named(t.catalog().name(), t.identifier(), t.table());
    }
    if (operand instanceof DataSourceV2Relation r) {
      if (r.catalog().isEmpty() || r.identifier().isEmpty()) return target(r.table());
      return named(r.catalog().get().name(), r.identifier().get(), r.table());
    }
    if (operand instanceof DeltaTableV2 t) return target(t.path());
    if (operand instanceof TahoeFileIndex f) return target(f.path());
    if (operand instanceof DeltaLog log) return target(log.dataPath());
    String home = SQLConf.get().getConfString("spark.lakehouse.home", null);
    if (!(operand instanceof Path path) || home == null) return null;
    String root = qualified(new Path(home.replaceAll("/+$", "") + "/system")) + "/";
    String p = qualified(path);
    return p.startsWith(root) ? "system." + p.substring(root.length()).replace('/', '.') : null;
  }

  /** By catalog name; a Delta path name (delta.`...` in spark_catalog) by its table's path. */
  private static String named(String catalog, Identifier ident, Object table) {
    if (!catalog.equals("system")) return target(table);
    return "system." + String.join(".", ident.namespace()) + "." + ident.name();
  }

  private static String qualified(Path path) {
    try {
      return path.getFileSystem(SparkSession.active().sessionState().newHadoopConf())
          .makeQualified(path).toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
