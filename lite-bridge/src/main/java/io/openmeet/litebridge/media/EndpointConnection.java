package io.openmeet.litebridge.media;

import java.beans.PropertyChangeEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Instant;
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

/** One endpoint's ICE agent, DTLS session and SRTP contexts on the bridge. */
final class EndpointConnection implements EndpointTransport {

  private static final Logger LOGGER = new LoggerImpl(EndpointConnection.class.getName());

  private final ForwardingConference conference;
  private final String endpointId;
  private final Agent agent;
  private final IceMediaStream stream;
  private final Component component;
  private final LocalIce localIce;
  private final Object lock = new Object();
  private volatile TransportState state = TransportState.NEW;
  private volatile Instant lastActivity = Instant.now();
  private volatile boolean receiveVideo = true;
  private RemoteTransport remote;

  EndpointConnection(ForwardingConference conference, String endpointId) {
    this.conference = conference;
    this.endpointId = endpointId;
    Ice4jMediaEngine engine = conference.engine();
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
    component.setBufferCallback(this::onBuffer);
    agent.addStateChangeListener(this::onIceStateChange);
    this.localIce = describe(agent, component, engine.config());
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

  ForwardingConference conference() {
    return conference;
  }

  @Override
  public String endpointId() {
    return endpointId;
  }

  @Override
  public LocalIce localIce() {
    return localIce;
  }

  @Override
  public void setRemoteTransport(RemoteTransport remote) {
    if (remote == null) {
      throw new IllegalArgumentException("remote transport must not be null");
    }
    if (remote.ufrag() == null
        || remote.ufrag().isBlank()
        || remote.password() == null
        || remote.password().isBlank()) {
      throw new IllegalArgumentException("remote transport needs an ICE ufrag and pwd");
    }
    synchronized (lock) {
      if (state == TransportState.CLOSED || state == TransportState.FAILED) {
        return;
      }
      boolean first = this.remote == null;
      this.remote = remote;
      if (first) {
        stream.setRemoteUfrag(remote.ufrag());
        stream.setRemotePassword(remote.password());
      }
      List<RemoteCandidate> candidates = new ArrayList<>();
      for (IceCandidate c : remote.candidates()) {
        RemoteCandidate rc = toRemoteCandidate(c);
        if (rc != null) {
          candidates.add(rc);
        }
      }
      if (first) {
        component.addRemoteCandidates(candidates);
        state = TransportState.CONNECTING;
        agent.startConnectivityEstablishment();
      } else {
        candidates.forEach(component::addUpdateRemoteCandidates);
        component.updateRemoteCandidates();
      }
    }
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

  private void onIceStateChange(PropertyChangeEvent event) {
    Object value = event.getNewValue();
    if (value == IceProcessingState.COMPLETED) {
      conference.engine().counters.iceSucceeded.increment();
      onIceConnected();
    } else if (value == IceProcessingState.FAILED) {
      conference.engine().counters.iceFailed.increment();
      fail("ICE failed");
    }
  }

  private void onIceConnected() {
    // DTLS starts here (next step)
  }

  private void onBuffer(Buffer buffer) {
    lastActivity = Instant.now();
  }

  void fail(String reason) {
    synchronized (lock) {
      if (state == TransportState.CLOSED || state == TransportState.FAILED) {
        return;
      }
      state = TransportState.FAILED;
    }
    try {
      conference.listener().transportFailed(endpointId, reason);
    } catch (RuntimeException e) {
      LOGGER.warn("transportFailed listener threw for " + endpointId, e);
    }
  }

  @Override
  public void setSources(List<MediaSourceDesc> sources) {}

  @Override
  public void setMediaFormats(MediaFormats formats) {}

  @Override
  public void setReceiveVideo(boolean receiveVideo) {
    this.receiveVideo = receiveVideo;
  }

  boolean receiveVideo() {
    return receiveVideo;
  }

  @Override
  public TransportState state() {
    return state;
  }

  @Override
  public Instant lastActivity() {
    return lastActivity;
  }

  InetSocketAddress selectedRemoteAddress() {
    var pair = component.getSelectedPair();
    return pair == null ? null : pair.getRemoteCandidate().getTransportAddress();
  }

  @Override
  public void close() {
    synchronized (lock) {
      if (state == TransportState.CLOSED) {
        return;
      }
      state = TransportState.CLOSED;
    }
    agent.free();
    conference.endpointClosed(this);
  }
}
