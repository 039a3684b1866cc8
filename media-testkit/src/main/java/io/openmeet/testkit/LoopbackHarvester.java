package io.openmeet.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Collection;
import java.util.List;
import org.ice4j.Transport;
import org.ice4j.ice.Component;
import org.ice4j.ice.HostCandidate;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.harvest.CandidateHarvester;
import org.ice4j.ice.harvest.HarvestStatistics;
import org.ice4j.socket.IceUdpSocketWrapper;
import org.ice4j.socket.MultiplexingDatagramSocket;

/**
 * One host candidate on an ephemeral UDP port of a given address. ice4j's own host harvester skips
 * loopback, and the single-port harvester cannot originate checks, so a client on 127.0.0.1 needs
 * this.
 */
final class LoopbackHarvester implements CandidateHarvester {

  private final InetAddress address;
  private final HarvestStatistics statistics = new HarvestStatistics();
  private volatile HostCandidate candidate;

  LoopbackHarvester(InetAddress address) {
    this.address = address;
  }

  @Override
  public Collection<LocalCandidate> harvest(Component component) {
    try {
      MultiplexingDatagramSocket socket = new MultiplexingDatagramSocket(0, address);
      socket.setReceiveBufferSize(4 * 1024 * 1024);
      HostCandidate host =
          new HostCandidate(new IceUdpSocketWrapper(socket), component, Transport.UDP);
      component.addLocalCandidate(host);
      host.getStunStack().addSocket(host.getStunSocket(null));
      candidate = host;
      return List.of(host);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind a UDP socket on " + address, e);
    }
  }

  HostCandidate candidate() {
    return candidate;
  }

  @Override
  public HarvestStatistics getHarvestStatistics() {
    return statistics;
  }

  @Override
  public boolean isHostHarvester() {
    return true;
  }
}
