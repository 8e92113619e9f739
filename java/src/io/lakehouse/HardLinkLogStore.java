package io.lakehouse;

import io.delta.storage.LocalLogStore;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;

/**
 * A local-disk Delta LogStore whose commits are put-if-absent across processes.
 *
 * <p>Delta's LocalLogStore checks "exists?" and then renames; POSIX rename overwrites, so two
 * processes can both publish commit N and one commit is lost (delta-io/delta#683). Here the commit
 * is written to a temp file and published with a hard link, which fails atomically when the target
 * exists; Delta turns the FileAlreadyExistsException into a conflict check and a retry.
 */
public class HardLinkLogStore extends LocalLogStore {
  public HardLinkLogStore(Configuration hadoopConf) {
    super(hadoopConf);
  }

  @Override
  public void write(
      org.apache.hadoop.fs.Path path, Iterator<String> actions, Boolean overwrite, Configuration conf)
      throws IOException {
    if (overwrite) {
      super.write(path, actions, true, conf);
      return;
    }
    Path target = Paths.get(path.toUri());
    Files.createDirectories(target.getParent());
    Path temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (Writer out =
          new OutputStreamWriter(Files.newOutputStream(temp), StandardCharsets.UTF_8)) {
        while (actions.hasNext()) {
          out.write(actions.next());
          out.write('\n');
        }
      }
      Files.createLink(target, temp); // atomic put-if-absent
    } catch (FileAlreadyExistsException e) {
      throw new FileAlreadyExistsException(path.toString());
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  @Override
  public Boolean isPartialWriteVisible(org.apache.hadoop.fs.Path path, Configuration conf) {
    return false;
  }
}
