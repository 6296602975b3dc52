package io.convene.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Signals for the backing processes of fault tests: pause (SIGSTOP) and resume (SIGCONT), with children. */
public final class Processes {
  private Processes() {}

  /** The pid in the first line of a pid file (Redis' pidfile, PostgreSQL's postmaster.pid). */
  public static long pid(Path pidFile) {
    try {
      return Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (IOException e) {
      throw new IllegalStateException("no pid in " + pidFile, e);
    }
  }

  /** Stops {@code pid} and every process under it, as a hung host or a long fork would. */
  public static void pause(long pid) {
    signal("-STOP", pid);
  }

  public static void resume(long pid) {
    signal("-CONT", pid);
  }

  private static void signal(String signal, long pid) {
    List<String> command = new ArrayList<>(List.of("kill", signal, String.valueOf(pid)));
    ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> command.add(String.valueOf(d.pid()))));
    try {
      int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
