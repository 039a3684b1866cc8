package io.openmeet.jvbtestkit;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The addresses JVB's ICE can use on this machine: ice4j never harvests loopback interfaces or
 * addresses, nor IPv6 link-local ones, so on a machine with only {@code lo} JVB has no candidate.
 */
public final class HostAddresses {

  private HostAddresses() {}

  /** Addresses of interfaces that are up and not loopback, without IPv6 link-local ones. */
  public static List<InetAddress> harvestable() {
    List<InetAddress> result = new ArrayList<>();
    try {
      for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nif.isUp() || nif.isLoopback() || nif.isVirtual()) {
          continue;
        }
        for (InetAddress a : Collections.list(nif.getInetAddresses())) {
          if (a.isLoopbackAddress() || (a instanceof Inet6Address && a.isLinkLocalAddress())) {
            continue;
          }
          result.add(a);
        }
      }
    } catch (SocketException e) {
      throw new IllegalStateException("cannot list the network interfaces", e);
    }
    return result;
  }

  /**
   * The first harvestable IPv4 address: where a synthetic endpoint binds to reach JVB (both in one
   * host network namespace, so the traffic never leaves the machine).
   */
  public static Optional<InetAddress> firstIpv4() {
    return harvestable().stream().filter(a -> a instanceof Inet4Address).findFirst();
  }
}
