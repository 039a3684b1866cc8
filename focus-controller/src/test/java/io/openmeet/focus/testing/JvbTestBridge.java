package io.openmeet.focus.testing;

import io.openmeet.jvbtestkit.HostAddresses;
import io.openmeet.jvbtestkit.JvbProcess;
import java.net.InetAddress;
import java.util.Set;
import java.util.stream.Collectors;

/** The stock Jitsi Videobridge as a child process in a brewery ({@link JvbProcess}). */
public final class JvbTestBridge implements TestBridge {

  private final JvbProcess jvb;

  private JvbTestBridge(JvbProcess jvb) {
    this.jvb = jvb;
  }

  /** Starts one in {@code brewery} (skipped without JVB_HOME) and waits for it there. */
  public static JvbTestBridge start(String brewery) throws Exception {
    return new JvbTestBridge(JvbProcess.start(brewery));
  }

  /** The process, for its REST API and log. */
  public JvbProcess process() {
    return jvb;
  }

  @Override
  public String kind() {
    return "JVB";
  }

  @Override
  public String id() {
    return jvb.bridgeId();
  }

  @Override
  public String occupantJid() {
    return jvb.occupantJid();
  }

  @Override
  public Set<String> candidateAddresses() {
    return HostAddresses.harvestable().stream()
        .map(InetAddress::getHostAddress)
        .map(JvbTestBridge::withoutScope)
        .collect(Collectors.toSet());
  }

  private static String withoutScope(String address) {
    int percent = address.indexOf('%');
    return percent < 0 ? address : address.substring(0, percent);
  }

  @Override
  public void setDrain(boolean drain) throws Exception {
    jvb.setDrain(drain);
  }

  @Override
  public void close() {
    jvb.close();
  }
}
