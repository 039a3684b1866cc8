package io.openmeet.jvbtestkit;

/**
 * A JVM that starts a child under {@link JvbProcess#WATCHDOG}, prints the child's pid and waits to
 * be killed: the test JVM's stand-in in {@link JvbProcessTest}.
 */
public final class WatchdogHost {
  private WatchdogHost() {}

  public static void main(String[] args) throws Exception {
    Process sh =
        new ProcessBuilder("/bin/sh", "-c", JvbProcess.WATCHDOG, "jvb-watchdog", "sleep", "600")
            .redirectErrorStream(true)
            .start();
    while (sh.children().findFirst().isEmpty()) {
      Thread.sleep(5);
    }
    System.out.println(sh.children().findFirst().get().pid());
    System.out.flush();
    Thread.sleep(600_000);
  }
}
