package io.convene;

import static org.assertj.core.api.Assertions.assertThat;

import io.convene.testing.ServerTestBase;
import io.convene.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The load generator as it is run: {@code java -jar target/convene-bench.jar}, beside the server jar
 * it takes Vert.x from, against a live server.
 */
@Timeout(120)
class BenchJarIT extends ServerTestBase {
  private record Run(int exitCode, String output) {}

  @Test
  void withoutScenarioPrintsUsageAndExitsWith2() throws Exception {
    Run run = bench();
    assertThat(run.exitCode()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("usage: java -jar convene-bench.jar idle|presence|ringing|rest|fanout");
  }

  @Test
  void idleHoldsSocketsAndReadsTheServersHeapAfterAFullCollection() throws Exception {
    Run run = bench("idle", "--urls=http://127.0.0.1:" + server.port, "--secret=" + TestServer.SECRET,
        "--sockets=20", "--settle=0", "--server-pid=" + ProcessHandle.current().pid());
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("idle: 20 sockets from 1 processes (20 on the first node)")
        .doesNotContain("no --server-pid");
  }

  @Test
  void aReconnectStormOfDroppedSocketsResumesEverySession() throws Exception {
    Run run = bench("reconnect", "--urls=http://127.0.0.1:" + server.port, "--secret=" + TestServer.SECRET,
        "--sockets=30", "--resume=true", "--settle=0");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("reconnect (resume): 30 sockets dropped and reconnected; all back: true")
        .contains("not resumed 0");
  }

  private static Run bench(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-jar", Path.of("target", "convene-bench.jar").toAbsolutePath().toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
    return new Run(p.exitValue(), output);
  }
}
