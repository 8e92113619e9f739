package io.lakehouse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.catalyst.analysis.*;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.connector.catalog.*;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.connector.write.LogicalWriteInfo;
import org.apache.spark.sql.connector.write.WriteBuilder;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.catalog.DeltaCatalog;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * A Spark catalog for one lakehouse catalog: {@code c.s.t} is the Delta table in {@code
 * <home>/warehouse/c/s/t} ({@code system.s.t}: {@code <home>/system/s/t}, read-only).
 *
 * <p>Delta's DeltaCatalog works only as spark_catalog (delta-io/delta#2434), so this class holds a
 * private one and forwards every table call with Delta's path identifier. Folders are the truth:
 * schemas and tables are listed from them, nothing else is kept. The root is read on every call
 * from the SQL conf {@code spark.lakehouse.home}, so one session can follow a changed root. Names
 * follow lakehouse/catalog/names.py: the same rule and the same message.
 *
 * <p>Schema comments and owners live in {@code system.catalog.schemas}, whose one writer is
 * delta-rs in Python (DESIGN.md: one writing engine per table). So CREATE SCHEMA, COMMENT ON
 * SCHEMA, DROP SCHEMA and DESCRIBE SCHEMA call back into the driver's Python through a {@link
 * SchemaRecorder} that lakehouse attaches (Py4J) when it builds or joins the session.
 */
public class LakehouseCatalog implements StagingTableCatalog, SupportsNamespaces {
  // Unity Catalog's part rule, as names.py: no '.', whitespace, '/', control characters or DEL.
  private static final Pattern BAD_CHAR = Pattern.compile("[.\\s/\\x00-\\x1f\\x7f#?%]");
  private static final String RULE = "each part at most 255 characters, any but '.', space,"
      + " '/', control characters, DEL, '#', '?' and '%' (stored lowercase)";
  private static final String[] WHAT = {"", "catalog", "catalog.schema", "catalog.schema.name"};
  private static final String[] EXAMPLE = {"", "main", "main.ml", "main.ml.churn_model"};
  private static volatile SchemaRecorder recorder;
  private final DeltaCatalog delta = new DeltaCatalog();
  private String name;

  /** The Python side that writes and reads {@code system.catalog.schemas} for SQL. */
  public interface SchemaRecorder {
    /** Record a schema whose folder was just made (replacing a row an older one left). */
    void created(String home, String catalog, String schema, String comment);

    /** Set a schema's comment; null clears it. */
    void commented(String home, String catalog, String schema, String comment);

    /** Forget the row of a schema being dropped. */
    void dropped(String home, String catalog, String schema);

    /** The schema's {@code comment} and {@code owner} (absent keys when unknown). */
    Map<String, String> describe(String home, String catalog, String schema);
  }

  /** Called by lakehouse.catalog.namespace once per JVM; a later call replaces the recorder. */
  public static void setRecorder(SchemaRecorder r) {
    recorder = r;
  }

  /** The attached recorder, or an error saying how to attach one (state stays unchanged). */
  private static SchemaRecorder recorder(String what) {
    SchemaRecorder r = recorder;
    if (r == null) {
      throw new IllegalStateException("cannot " + what + " in this session: schema comments and"
          + " owners are kept in system.catalog.schemas, which only lakehouse's Python side"
          + " writes, and none is attached to this JVM. Call lakehouse.spark() once in the driver"
          + " (import lakehouse as lh; lh.spark()) before running the statement.");
    }
    return r;
  }


  @Override
  public void initialize(String name, CaseInsensitiveStringMap options) {
    this.name = name;
    // A null delegate fails even for path identifiers; the built-in session catalog knows no
    // table `delta`.`<path>`, so Delta takes its path branch for every call made here.
    delta.setDelegateCatalog(
        SparkSession.active().sessionState().catalogManager().defaultSessionCatalog());
    delta.initialize(name, options);
  }

  @Override
  public String name() {
    return name;
  }

  // -- names and locations ------------------------------------------------------------------
  private static String repr(String s) {
    boolean dq = s.contains("'") && !s.contains("\""); // Python's repr() quoting
    StringBuilder b = new StringBuilder(dq ? "\"" : "'");
    for (char c : s.toCharArray()) { // Python's escapes, so both sides print one message
      if (c == '\t') b.append("\\t");
      else if (c == '\n') b.append("\\n");
      else if (c == '\r') b.append("\\r");
      else if (c == '\\') b.append("\\\\");
      else if (c < 0x20 || c == 0x7f) b.append(String.format("\\x%02x", (int) c));
      else if (c == '\'' && !dq) b.append("\\'");
      else b.append(c);
    }
    return b.append(dq ? "\"" : "'").toString();
  }

  private static String quote(String part) {
    return part.matches("[A-Za-z0-9_]+") ? part : "`" + part.replace("`", "``") + "`";
  }

  /** The full name's parts (catalog first), checked like names.split_parts. */
  private String[] check(String[] namespace, String leaf) {
    List<String> parts = new ArrayList<>(List.of(name));
    parts.addAll(Arrays.asList(namespace));
    if (leaf != null) parts.add(leaf);
    int want = leaf == null ? 2 : 3;
    String why = parts.size() != want ? "it has " + parts.size() + " part(s), not " + want : null;
    for (int i = 0; why == null && i < parts.size(); i++) {
      String p = parts.get(i);
      java.util.regex.Matcher bad = BAD_CHAR.matcher(p);
      if (p.isEmpty()) why = "a part is empty";
      else if (p.length() > 255) {
        why = "part " + repr(p.substring(0, 20)) + "... is longer than 255 characters";
      } else if (bad.find()) {
        String instead = BAD_CHAR.matcher(p).replaceAll("_").toLowerCase(java.util.Locale.ROOT);
        why = "part " + repr(p) + " holds " + repr(bad.group()) + " (write " + repr(instead) + ")";
      }
    }
    if (why != null) {
      String full = parts.stream().map(LakehouseCatalog::quote).collect(Collectors.joining("."));
      throw new IllegalArgumentException("invalid name " + repr(full) + ": " + why + ". Expected "
          + WHAT[want] + ", " + RULE + "; for example " + repr(EXAMPLE[want]) + ".");
    }
    // Stored lowercase, as Unity Catalog: `main.ML.Orders` is the folder main/ml/orders.
    parts.replaceAll(p -> p.toLowerCase(java.util.Locale.ROOT));
    return parts.toArray(new String[0]);
  }

  /** The error for a write into the reserved catalog, with names.check_writable's text. */
  static IllegalArgumentException reserved(String what) {
    return new IllegalArgumentException("cannot " + what + ": the 'system' catalog is reserved"
        + " for lakehouse's own tables (tracking, registry, catalog) and is read-only to users;"
        + " use another catalog such as 'main'.");
  }

  /** Refuse writes into the reserved catalog (LakehouseExtensions also checks whole plans). */
  private void writable(String what) {
    if (name.equals("system")) throw reserved(what);
  }

  private static String home() {
    String home = SQLConf.get().getConfString("spark.lakehouse.home", null);
    if (home == null) {
      throw new IllegalStateException("spark.lakehouse.home is not set: set it to the lakehouse"
          + " root URI (lakehouse.spark.delta_spark_conf() lists every setting)");
    }
    return home.replaceAll("/+$", "");
  }

  private Path catalogDir() {
    return new Path(home() + (name.equals("system") ? "/system" : "/warehouse/" + name));
  }

  private static FileSystem fs(Path path) {
    try {
      return path.getFileSystem(SparkSession.active().sessionState().newHadoopConf());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean exists(Path path) {
    try {
      return fs(path).exists(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sub-folders, as namespace.py's _subdirs sees them (no hidden or _ names). */
  private static List<String> children(Path dir) {
    List<String> out = new ArrayList<>();
    try {
      if (!fs(dir).getFileStatus(dir).isDirectory()) return out;
      for (FileStatus s : fs(dir).listStatus(dir)) {
        String n = s.getPath().getName();
        if (s.isDirectory() && !n.startsWith(".") && !n.startsWith("_")) out.add(n);
      }
    } catch (java.io.FileNotFoundException e) {
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.sort(null);
    return out;
  }

  private static void delete(Path dir) {
    try {
      // Forget cached snapshots: a table made again at this path starts at version 0.
      SparkSession spark = SparkSession.active();
      for (String t : children(dir)) DeltaLog.invalidateCache(spark, new Path(dir, t));
      DeltaLog.invalidateCache(spark, dir);
      fs(dir).delete(dir, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path schemaDir(String schema) {
    return new Path(catalogDir(), schema);
  }

  private static Identifier byPath(Path dir) {
    return Identifier.of(new String[] {"delta"}, dir.toString());
  }

  /** The path identifier of an existing table, or Spark's not-found naming c.s.t. */
  private Identifier located(Identifier ident) throws NoSuchTableException {
    String[] p = check(ident.namespace(), ident.name());
    Path dir = new Path(schemaDir(p[1]), p[2]);
    if (!exists(new Path(dir, "_delta_log"))) {
      throw new NoSuchTableException(Identifier.of(new String[] {p[0], p[1]}, p[2]));
    }
    return byPath(dir);
  }

  /** The path identifier where a new table goes; its schema must exist. */
  private Identifier creatable(Identifier ident, String what) throws NoSuchNamespaceException {
    String[] p = check(ident.namespace(), ident.name());
    writable(what + " " + String.join(".", p));
    if (!exists(schemaDir(p[1]))) throw new NoSuchNamespaceException(new String[] {p[0], p[1]});
    return byPath(new Path(schemaDir(p[1]), p[2]));
  }

  // -- tables ---------------------------------------------------------------------------------
  @Override
  public Identifier[] listTables(String[] namespace) throws NoSuchNamespaceException {
    String[] p = check(namespace, null);
    if (!namespaceExists(namespace)) throw new NoSuchNamespaceException(p);
    return children(schemaDir(p[1])).stream()
        .filter(t -> exists(new Path(new Path(schemaDir(p[1]), t), "_delta_log")))
        .map(t -> Identifier.of(namespace, t))
        .toArray(Identifier[]::new);
  }

  @Override
  public Table loadTable(Identifier ident) throws NoSuchTableException {
    return delta.loadTable(located(ident));
  }

  @Override
  public Table loadTable(Identifier ident, Set<TableWritePrivilege> privileges)
      throws NoSuchTableException {
    if (!privileges.isEmpty()) {
      writable("write to table " + String.join(".", check(ident.namespace(), ident.name())));
    }
    return loadTable(ident);
  }

  @Override
  public Table loadTable(Identifier ident, String version) throws NoSuchTableException {
    return delta.loadTable(located(ident), version);
  }

  @Override
  public Table loadTable(Identifier ident, long timestamp) throws NoSuchTableException {
    return delta.loadTable(located(ident), timestamp);
  }

  @Override
  public Table createTable(Identifier ident, Column[] columns, Transform[] partitions,
      Map<String, String> properties) throws TableAlreadyExistsException, NoSuchNamespaceException {
    return delta.createTable(creatable(ident, "create table"), columns, partitions, properties);
  }

  @Override
  public StagedTable stageCreate(Identifier ident, Column[] columns, Transform[] partitions,
      Map<String, String> properties) throws TableAlreadyExistsException, NoSuchNamespaceException {
    Identifier path = creatable(ident, "create table");
    return staged(delta.stageCreate(path, columns, partitions, properties), path);
  }

  @Override
  public StagedTable stageReplace(Identifier ident, Column[] columns, Transform[] partitions,
      Map<String, String> properties) throws NoSuchNamespaceException, NoSuchTableException {
    located(ident);
    return delta.stageReplace(creatable(ident, "replace table"), columns, partitions, properties);
  }

  @Override
  public StagedTable stageCreateOrReplace(Identifier ident, Column[] columns,
      Transform[] partitions, Map<String, String> properties) throws NoSuchNamespaceException {
    Identifier path = creatable(ident, "create or replace table");
    return staged(delta.stageCreateOrReplace(path, columns, partitions, properties), path);
  }

  /** Delta's staged table; an aborted create removes the folder (Delta leaves an empty log). */
  private static StagedTable staged(StagedTable table, Identifier path) {
    Path dir = new Path(path.name());
    if (exists(dir)) return table;
    return new Staged(table) {
      @Override
      public void abortStagedChanges() {
        table.abortStagedChanges();
        delete(dir);
      }
    };
  }

  @Override
  public Table alterTable(Identifier ident, TableChange... changes) throws NoSuchTableException {
    writable("alter table " + String.join(".", check(ident.namespace(), ident.name())));
    return delta.alterTable(located(ident), changes);
  }

  @Override
  public boolean dropTable(Identifier ident) {
    String[] p = check(ident.namespace(), ident.name());
    writable("drop table " + String.join(".", p));
    Path dir = new Path(schemaDir(p[1]), p[2]);
    if (!exists(dir)) return false;
    delete(dir);
    return true;
  }

  @Override
  public void renameTable(Identifier from, Identifier to) {
    throw new UnsupportedOperationException("renaming a table is not supported in lakehouse"
        + " catalogs: create the new table AS SELECT from the old one, then drop the old one");
  }

  // -- schemas (namespaces) -------------------------------------------------------------------
  @Override
  public String[][] listNamespaces() throws NoSuchNamespaceException {
    if (!name.equals("system") && !exists(catalogDir())) {
      throw new NoSuchNamespaceException(new String[] {name});
    }
    return children(catalogDir()).stream().map(s -> new String[] {s}).toArray(String[][]::new);
  }

  @Override
  public String[][] listNamespaces(String[] namespace) throws NoSuchNamespaceException {
    if (!namespaceExists(namespace)) throw new NoSuchNamespaceException(check(namespace, null));
    return new String[0][];
  }

  @Override
  public boolean namespaceExists(String[] namespace) {
    return exists(schemaDir(check(namespace, null)[1]));
  }

  @Override
  public Map<String, String> loadNamespaceMetadata(String[] namespace)
      throws NoSuchNamespaceException {
    String[] p = check(namespace, null);
    if (!namespaceExists(namespace)) throw new NoSuchNamespaceException(p);
    Map<String, String> meta = new HashMap<>();
    SchemaRecorder r = recorder;
    if (r != null) meta.putAll(r.describe(home(), p[0], p[1]));
    meta.put(SupportsNamespaces.PROP_LOCATION, schemaDir(p[1]).toString());
    return meta;
  }

  @Override
  public void createNamespace(String[] namespace, Map<String, String> metadata)
      throws NamespaceAlreadyExistsException {
    String[] p = check(namespace, null);
    writable("create schema '" + String.join(".", p) + "'");
    if (!exists(catalogDir())) {
      throw new IllegalStateException("catalog '" + name + "' does not exist (no folder "
          + catalogDir() + "); create it with lh.create_catalog('" + name + "')");
    }
    if (namespaceExists(namespace)) throw new NamespaceAlreadyExistsException(p);
    String comment = metadata.get(SupportsNamespaces.PROP_COMMENT);
    SchemaRecorder r = comment == null ? recorder : recorder("create schema with a comment");
    try {
      fs(schemaDir(p[1])).mkdirs(schemaDir(p[1]));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (r == null) return; // no comment to keep; the folder alone says the schema exists
    try {
      r.created(home(), p[0], p[1], comment);
    } catch (RuntimeException e) {
      delete(schemaDir(p[1])); // all or nothing: no schema whose metadata was not recorded
      throw e;
    }
  }

  /** COMMENT ON SCHEMA (Spark sets property {@code comment}); other changes are refused. */
  @Override
  public void alterNamespace(String[] namespace, NamespaceChange... changes)
      throws NoSuchNamespaceException {
    String[] p = check(namespace, null);
    writable("alter schema '" + String.join(".", p) + "'");
    for (NamespaceChange change : changes) {
      if (!(change instanceof NamespaceChange.SetProperty set)
          || !set.property().equals(SupportsNamespaces.PROP_COMMENT)) {
        throw new UnsupportedOperationException("ALTER SCHEMA is not supported in lakehouse"
            + " catalogs, except COMMENT ON SCHEMA " + String.join(".", p) + " IS '...'");
      }
    }
    if (!namespaceExists(namespace)) throw new NoSuchNamespaceException(p);
    SchemaRecorder r = recorder("comment on schema '" + String.join(".", p) + "'");
    for (NamespaceChange change : changes) {
      String value = ((NamespaceChange.SetProperty) change).value();
      r.commented(home(), p[0], p[1], value == null || value.isEmpty() ? null : value);
    }
  }

  @Override
  public boolean dropNamespace(String[] namespace, boolean cascade)
      throws NoSuchNamespaceException, NonEmptyNamespaceException {
    String[] p = check(namespace, null);
    writable("drop schema '" + String.join(".", p) + "'");
    if (!namespaceExists(namespace)) throw new NoSuchNamespaceException(p);
    if (!cascade && !children(schemaDir(p[1])).isEmpty()) throw new NonEmptyNamespaceException(p);
    // The row goes first: if removing the folder then fails, DROP SCHEMA can simply run again.
    recorder("drop schema '" + String.join(".", p) + "'").dropped(home(), p[0], p[1]);
    delete(schemaDir(p[1]));
    return true;
  }

  /** Forwards to Delta's staged table (a StagedTable that Spark writes through SupportsWrite). */
  private static class Staged implements StagedTable, SupportsWrite {
    private final StagedTable table;

    Staged(StagedTable table) {
      this.table = table;
    }

    public String name() {
      return table.name();
    }

    public StructType schema() {
      return table.schema();
    }

    public Column[] columns() {
      return table.columns();
    }

    public Transform[] partitioning() {
      return table.partitioning();
    }

    public Map<String, String> properties() {
      return table.properties();
    }

    public Set<TableCapability> capabilities() {
      return table.capabilities();
    }

    public WriteBuilder newWriteBuilder(LogicalWriteInfo info) {
      return ((SupportsWrite) table).newWriteBuilder(info);
    }

    public void commitStagedChanges() {
      table.commitStagedChanges();
    }

    public void abortStagedChanges() {
      table.abortStagedChanges();
    }
  }
}
