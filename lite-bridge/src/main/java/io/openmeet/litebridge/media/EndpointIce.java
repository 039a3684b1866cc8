package io.openmeet.litebridge.media;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.ice4j.Transport;
import org.ice4j.TransportAddress;
import org.ice4j.ice.Agent;
import org.ice4j.ice.CandidateType;
import org.ice4j.ice.Component;
import org.ice4j.ice.IceMediaStream;
import org.ice4j.ice.IceProcessingState;
import org.ice4j.ice.KeepAliveStrategy;
import org.ice4j.ice.LocalCandidate;
import org.ice4j.ice.NominationStrategy;
import org.ice4j.ice.RemoteCandidate;
import org.ice4j.util.Buffer;
import org.jitsi.utils.logging2.Logger;
import org.jitsi.utils.logging2.LoggerImpl;

/**
 * One endpoint's ICE agent on the bridge's single-port harvesters: ICE-controlling, one RTP
 * component (rtcp-mux), consent freshness on. Sends datagrams on the selected pair and hands every
 * received one to a callback.
 */
final class EndpointIce {

  private static final Logger LOGGER = new LoggerImpl(EndpointIce.class.getName());

  /** What the owner hears about ICE processing. */
  interface Events {
    /** A datagram from the peer, on the harvester's socket thread. */
    void onDatagram(Buffer buffer);

    void onIceCompleted();

    void onIceFailed();
  }

  private final Agent agent;
  private final IceMediaStream stream;
  private final Component component;
  private final LocalIce localIce;
  private final Ice4jMediaEngine.Counters counters;

  EndpointIce(Ice4jMediaEngine engine, String endpointId, Events events) {
    this.counters = engine.counters;
    Logger logger = LOGGER.createChildLogger(EndpointConnection.class.getName());
    logger.addContext("endpoint", endpointId);
    this.agent = new Agent(logger);
    try {
      agent.setUseDynamicPorts(false);
      engine.harvesters().forEach(agent::addCandidateHarvester);
      agent.setControlling(true);
      agent.setPerformConsentFreshness(true);
      agent.setNominationStrategy(NominationStrategy.NOMINATE_FIRST_HOST_OR_REFLEXIVE_VALID);
      this.stream = agent.createMediaStream("stream-" + endpointId);
      this.component = agent.createComponent(stream, KeepAliveStrategy.SELECTED_ONLY, false);
    } catch (IOException e) {
      agent.free();
      throw new UncheckedIOException("cannot create the ICE agent for " + endpointId, e);
    } catch (RuntimeException e) {
      agent.free();
      throw e;
    }
    component.setBufferCallback(events::onDatagram);
    agent.addStateChangeListener(event -> onStateChange(event, events));
    this.localIce = describe(agent, component, engine.config());
  }

  LocalIce localIce() {
    return localIce;
  }

  /** Sets the peer's credentials and candidates and starts the connectivity checks. */
  void start(RemoteTransport remote) {
    stream.setRemoteUfrag(remote.ufrag());
    stream.setRemotePassword(remote.password());
    component.addRemoteCandidates(toRemoteCandidates(remote.candidates()));
    agent.startConnectivityEstablishment();
  }

  /** Adds candidates the peer signalled later (trickle). */
  void addRemoteCandidates(List<IceCandidate> candidates) {
    toRemoteCandidates(candidates).forEach(component::addUpdateRemoteCandidates);
    component.updateRemoteCandidates();
  }

  /** Sends one datagram on the selected pair; a failure is counted as a drop. */
  void send(byte[] data, int off, int len) {
    try {
      component.send(data, off, len);
      counters.packetsSent.increment();
      counters.bytesSent.add(len);
    } catch (IOException | RuntimeException e) {
      counters.packetsDropped.increment();
    }
  }

  InetSocketAddress selectedRemoteAddress() {
    var pair = component.getSelectedPair();
    return pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
  }

  void free() {
    agent.free();
  }

  private void onStateChange(PropertyChangeEvent event, Events events) {
    Object value = event.getNewValue();
    if (value == IceProcessingState.COMPLETED) {
      counters.iceSucceeded.increment();
      events.onIceCompleted();
    } else if (value == IceProcessingState.FAILED) {
      counters.iceFailed.increment();
      events.onIceFailed();
    }
  }

  private static LocalIce describe(Agent agent, Component component, MediaConfig config) {
    List<IceCandidate> candidates = new ArrayList<>();
    IceCandidate firstHost = null;
    for (LocalCandidate c : component.getLocalCandidates()) {
      TransportAddress address = c.getTransportAddress();
      TransportAddress related = c.getRelatedAddress();
      IceCandidate candidate =
          new IceCandidate(
              c.getFoundation(),
              component.getComponentID(),
              address.getTransport().toString().toLowerCase(Locale.ROOT),
              c.getPriority(),
              address.getHostAddress(),
              address.getPort(),
              c.getType().toString(),
              agent.getGeneration(),
              related == null ? null : related.getHostAddress(),
              related == null ? 0 : related.getPort());
      candidates.add(candidate);
      if (firstHost == null && c.getType() == CandidateType.HOST_CANDIDATE) {
        firstHost = candidate;
      }
    }
    if (firstHost != null) {
      int index = 0;
      for (String publicAddress : config.publicAddresses()) {
        // a static NAT mapping: the public address with the same port, one step below host
        candidates.add(
            new IceCandidate(
                String.valueOf(100 + index++),
                firstHost.component(),
                "udp",
                Math.max(1, firstHost.priority() - (1L << 24) * 26),
                publicAddress,
                firstHost.port(),
                "srflx",
                firstHost.generation(),
                firstHost.ip(),
                firstHost.port()));
      }
    }
    return new LocalIce(agent.getLocalUfrag(), agent.getLocalPassword(), candidates);
  }

  private List<RemoteCandidate> toRemoteCandidates(List<IceCandidate> signalled) {
    List<RemoteCandidate> candidates = new ArrayList<>();
    for (IceCandidate c : signalled) {
      RemoteCandidate rc = toRemoteCandidate(c);
      if (rc != null) {
        candidates.add(rc);
      }
    }
    return candidates;
  }

  private RemoteCandidate toRemoteCandidate(IceCandidate c) {
    if (c.component() != Component.RTP
        || c.protocol() == null
        || !c.protocol().equalsIgnoreCase("udp")
        || c.ip() == null
        || c.port() <= 0
        || c.port() > 65535) {
      return null;
    }
    CandidateType type;
    try {
      type = CandidateType.parse(c.type() == null ? "host" : c.type());
    } catch (IllegalArgumentException e) {
      return null;
    }
    RemoteCandidate related = null;
    if (c.relatedAddress() != null && c.relatedPort() > 0) {
      related =
          new RemoteCandidate(
              new TransportAddress(c.relatedAddress(), c.relatedPort(), Transport.UDP),
              component,
              CandidateType.HOST_CANDIDATE,
              c.foundation(),
              c.priority(),
              null);
    }
    return new RemoteCandidate(
        new TransportAddress(c.ip(), c.port(), Transport.UDP),
        component,
        type,
        c.foundation(),
        c.priority(),
        related);
  }
}
