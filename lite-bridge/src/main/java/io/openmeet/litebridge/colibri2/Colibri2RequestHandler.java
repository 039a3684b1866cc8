package io.openmeet.litebridge.colibri2;

import io.openmeet.litebridge.conference.Conference;
import io.openmeet.litebridge.conference.Conferences;
import io.openmeet.litebridge.conference.Endpoint;
import io.openmeet.litebridge.media.MediaFormats;
import io.openmeet.litebridge.media.MediaSourceDesc;
import io.openmeet.litebridge.media.RemoteTransport;
import io.openmeet.transport.DtlsFingerprint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jitsi.xmpp.extensions.colibri2.Capability;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Endpoint;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jitsi.xmpp.extensions.colibri2.ForceMute;
import org.jitsi.xmpp.extensions.colibri2.Transport;
import org.jitsi.xmpp.extensions.jingle.IceUdpTransportPacketExtension;
import org.jivesoftware.smack.packet.AbstractIqBuilder;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * Answers Colibri2 `conference-modify` requests the way Jitsi Videobridge does: the same request
 * rules, the same error conditions and colibri2 reasons, and responses of the same shape (as a
 * transcript captured from a real JVB shows; it is in this module's test resources).
 *
 * <p>A request is validated completely before anything changes, so a rejected request leaves no
 * half-created conference or endpoint behind.
 *
 * <p>Like JVB's per-conference request queues, the requests of one meeting are handled one at a
 * time in the order they arrived, and different meetings in parallel: a meeting-id maps to one of
 * {@link #LANES} lanes, each a single-threaded queue. One slow request (an endpoint's ICE agent, a
 * thread that lost its CPU) then holds up only the meetings of its lane, not every allocation on
 * the bridge.
 */
public final class Colibri2RequestHandler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Colibri2RequestHandler.class.getName());

  /** How many meetings can be served at the same moment. */
  public static final int LANES = 8;

  /** Builds the colibri-ws URL for an endpoint, or returns null when websockets are disabled. */
  public interface WebSocketUrls {
    String urlFor(String meetingId, String endpointId, String password);
  }

  private final Conferences conferences;
  private final Supplier<DtlsFingerprint> localFingerprint;
  private final WebSocketUrls webSocketUrls;
  private final ExecutorService[] queues = new ExecutorService[LANES];

  public Colibri2RequestHandler(
      Conferences conferences,
      Supplier<DtlsFingerprint> localFingerprint,
      WebSocketUrls webSocketUrls) {
    this.conferences = conferences;
    this.localFingerprint = localFingerprint;
    this.webSocketUrls = webSocketUrls;
    for (int i = 0; i < LANES; i++) {
      String thread = "colibri2-lane-" + i;
      queues[i] =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, thread);
                t.setDaemon(true);
                return t;
              });
    }
  }

  /** The lane (0 to {@link #LANES} - 1) that serves a meeting's requests. */
  public static int lane(String meetingId) {
    return meetingId == null ? 0 : Math.floorMod(meetingId.hashCode(), LANES);
  }

  private static int lane(ConferenceModifyIQ request) {
    return lane(request.getMeetingId());
  }

  /**
   * Queues a request behind the earlier ones of its meeting and hands the response (a result or an
   * error IQ) to {@code reply} on the lane's thread. Requests must be queued in the order they
   * arrived (the XMPP reader's order). After {@link #close()} the answer is graceful-shutdown,
   * given at once.
   */
  public void handleInOrder(ConferenceModifyIQ request, Consumer<IQ> reply) {
    try {
      queues[lane(request)].execute(() -> reply.accept(answer(request)));
    } catch (RejectedExecutionException e) {
      reply.accept(error(request, gracefulShutdown()));
    }
  }

  /** Like {@link #handleInOrder}, waiting for the response (in-process callers and tests). */
  public IQ handle(ConferenceModifyIQ request) {
    CompletableFuture<IQ> response = new CompletableFuture<>();
    handleInOrder(request, response::complete);
    return response.join();
  }

  private IQ answer(ConferenceModifyIQ request) {
    try {
      return process(request);
    } catch (Colibri2Exception e) {
      return error(request, e);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "conference-modify failed", e);
      return error(
          request,
          new Colibri2Exception(
              StanzaError.Condition.internal_server_error, null, String.valueOf(e), null));
    }
  }

  /** A validated endpoint instruction, applied only after the whole request was checked. */
  private record EndpointPlan(
      Colibri2Endpoint element,
      boolean create,
      boolean expire,
      MediaFormats formats,
      RemoteTransport transport,
      List<MediaSourceDesc> sources) {}

  private IQ process(ConferenceModifyIQ request) throws Colibri2Exception {
    String meetingId = request.getMeetingId();
    if (meetingId == null || meetingId.isBlank()) {
      throw Colibri2Exception.badRequest("Missing or blank meeting-id");
    }
    String name = request.getConferenceName();
    if (name != null) {
      checkBareJid(name);
    }
    if (!request.getRelays().isEmpty()) {
      if (!request.getEndpoints().isEmpty()) {
        throw Colibri2Exception.badRequest("Can not mix endpoints and relays in one request");
      }
      throw Colibri2Exception.notImplemented("Relays are not supported by lite-bridge");
    }
    if (request.getConnects() != null && !request.getConnects().getConnects().isEmpty()) {
      throw Colibri2Exception.notImplemented("<connects> is not supported by lite-bridge");
    }

    Optional<Conference> existing = conferences.get(meetingId).filter(c -> !c.isExpired());
    if (request.getCreate()) {
      if (existing.isPresent()) {
        throw new Colibri2Exception(
            StanzaError.Condition.conflict,
            Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS,
            "Conference already exists for ID: " + meetingId,
            null);
      }
      if (conferences.isGracefulShutdown()) {
        throw gracefulShutdown();
      }
    } else if (existing.isEmpty()) {
      throw conferenceNotFound(meetingId);
    }

    List<EndpointPlan> plans = plan(request, existing.orElse(null));

    Conference conference;
    if (existing.isPresent()) {
      conference = existing.get();
    } else {
      try {
        conference = conferences.create(meetingId, name);
      } catch (Conferences.ConferenceExistsException e) {
        throw new Colibri2Exception(
            StanzaError.Condition.conflict,
            Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS,
            e.getMessage(),
            null);
      } catch (Conferences.GracefulShutdownException e) {
        throw gracefulShutdown();
      }
    }

    ConferenceModifiedIQ.Builder response =
        ConferenceModifiedIQ.builder(AbstractIqBuilder.createResponse(request));
    if (request.getExpire()) {
      conferences.expire(conference);
      return response.build();
    }

    boolean includeFeedbackSources = request.getCreate();
    for (EndpointPlan plan : plans) {
      String id = plan.element().getId();
      Colibri2Endpoint.Builder echo = Colibri2Endpoint.getBuilder();
      echo.setId(id);
      if (plan.expire()) {
        conferences.expireEndpoint(conference, id);
        echo.setExpire(true);
        response.addEndpoint(echo.build());
        continue;
      }
      Endpoint endpoint;
      // The idle sweep runs outside the lanes: the conference or endpoint may expire meanwhile.
      if (plan.create()) {
        try {
          endpoint = conferences.createEndpoint(conference, id, plan.element().getStatsId());
        } catch (IllegalStateException e) {
          if (conference.isExpired()) {
            throw conferenceNotFound(meetingId);
          }
          throw e;
        }
        includeFeedbackSources = true;
      } else {
        endpoint = conference.endpoint(id).orElseThrow(() -> unknownEndpoint(id));
        endpoint.touch();
      }
      if (plan.formats() != null) {
        endpoint.transport().setMediaFormats(plan.formats());
      }
      if (plan.sources() != null) {
        conference.setSources(endpoint, plan.sources());
      }
      if (plan.transport() != null) {
        endpoint.transport().setRemoteTransport(plan.transport());
      }
      ForceMute forceMute = plan.element().getForceMute();
      if (forceMute != null) {
        // JVB: the endpoint's receiver drops what it sends of a muted type until cleared
        endpoint.transport().setForceMute(forceMute.getAudio(), forceMute.getVideo());
      }
      if (plan.element().getInitialLastN() != null) {
        // JVB: the endpoint's lastN until its own ReceiverVideoConstraints say otherwise
        conference.allocation().initialLastN(id, plan.element().getInitialLastN().getValue());
      }
      if (plan.create()) {
        IceUdpTransportPacketExtension transport =
            Colibri2Translation.describe(
                endpoint.transport().localIce(),
                localFingerprint.get(),
                webSocketUrls.urlFor(meetingId, id, endpoint.webSocketPassword()));
        echo.setTransport(Transport.getBuilder().setIceUdpExtension(transport).build());
      }
      response.addEndpoint(echo.build());
    }
    if (includeFeedbackSources) {
      response.setSources(Colibri2Translation.describe(conference.feedbackSources()));
    }
    return response.build();
  }

  /** Stops the lanes; requests still queued are dropped (the bridge is leaving). */
  @Override
  public void close() {
    for (ExecutorService queue : queues) {
      queue.shutdownNow();
    }
  }

  private List<EndpointPlan> plan(ConferenceModifyIQ request, Conference conference)
      throws Colibri2Exception {
    List<EndpointPlan> plans = new ArrayList<>();
    int modifying = 0;
    for (Colibri2Endpoint ep : request.getEndpoints()) {
      String id = ep.getId();
      if (id == null || id.isBlank()) {
        throw Colibri2Exception.badRequest("<endpoint> without an id");
      }
      boolean exists = conference != null && conference.endpoint(id).isPresent();
      if (ep.getExpire()) {
        // Expiring an unknown endpoint is a plain result: jicofo relies on it.
        plans.add(new EndpointPlan(ep, false, true, null, null, null));
        continue;
      }
      boolean modifies =
          ep.getCreate()
              || !ep.getMedia().isEmpty()
              || ep.getTransport() != null
              || ep.getSources() != null;
      if (modifies && ++modifying > 1) {
        throw Colibri2Exception.badRequest(
            "Only one endpoint may be created or modified in one request");
      }
      Transport transport = ep.getTransport();
      if (transport != null && transport.getIceRestart()) {
        throw Colibri2Exception.notImplemented("ICE restart is not supported by lite-bridge");
      }
      if (ep.getCreate()) {
        if (exists) {
          throw new Colibri2Exception(
              StanzaError.Condition.conflict,
              null,
              "Endpoint with ID " + id + " already exists",
              null);
        }
        if (transport == null) {
          throw Colibri2Exception.badRequest(
              "Attempt to create endpoint " + id + " with no <transport>");
        }
        if (!ep.hasCapability(Capability.CAP_SOURCE_NAME_SUPPORT)) {
          throw Colibri2Exception.badRequest("Source name support is mandatory.");
        }
        if (ep.hasCapability(Capability.CAP_SSRC_REWRITING_SUPPORT)) {
          throw Colibri2Exception.notImplemented("SSRC rewriting is not supported by lite-bridge");
        }
      } else if (!exists) {
        if (!modifies) {
          // JVB ignores an unknown endpoint in a request with nothing to apply to it (a force-mute
          // batch, an empty <endpoint/>): a plain result.
          continue;
        }
        throw unknownEndpoint(id);
      }
      MediaFormats formats =
          ep.getMedia().isEmpty() ? null : Colibri2Translation.formats(ep.getMedia());
      RemoteTransport remote =
          transport == null || transport.getIceUdpTransport() == null
              ? null
              : Colibri2Translation.remote(transport.getIceUdpTransport());
      List<MediaSourceDesc> sources =
          ep.getSources() == null ? null : Colibri2Translation.sources(ep.getSources());
      plans.add(new EndpointPlan(ep, ep.getCreate(), false, formats, remote, sources));
    }
    return plans;
  }

  private static void checkBareJid(String name) throws Colibri2Exception {
    Jid jid;
    try {
      jid = JidCreate.from(name);
    } catch (XmppStringprepException | IllegalArgumentException e) {
      throw Colibri2Exception.badRequest("Invalid conference name (not a JID): " + name);
    }
    if (!jid.isEntityBareJid()) {
      throw Colibri2Exception.badRequest("Invalid conference name (not a bare JID): " + name);
    }
  }

  private static Colibri2Exception conferenceNotFound(String meetingId) {
    return new Colibri2Exception(
        StanzaError.Condition.item_not_found,
        Colibri2Error.Reason.CONFERENCE_NOT_FOUND,
        "Conference not found for ID: " + meetingId,
        null);
  }

  private static Colibri2Exception unknownEndpoint(String id) {
    return new Colibri2Exception(
        StanzaError.Condition.item_not_found,
        Colibri2Error.Reason.UNKNOWN_ENDPOINT,
        "Endpoint not found for ID: " + id,
        id);
  }

  private static Colibri2Exception gracefulShutdown() {
    return new Colibri2Exception(
        StanzaError.Condition.service_unavailable,
        Colibri2Error.Reason.GRACEFUL_SHUTDOWN,
        "In graceful shutdown",
        null);
  }

  /**
   * An error answer like JVB's: condition, English text, the colibri2 reason (and the unknown
   * endpoint), followed by the request's `conference-modify` element without its children.
   */
  static IQ error(ConferenceModifyIQ request, Colibri2Exception e) {
    ConferenceModifyIQ.Builder echo =
        ConferenceModifyIQ.builder(AbstractIqBuilder.createErrorResponse(request))
            .setMeetingId(request.getMeetingId() == null ? "" : request.getMeetingId())
            .setCreate(request.getCreate())
            .setExpire(request.getExpire())
            .setRtcstatsEnabled(request.isRtcstatsEnabled());
    if (request.getConferenceName() != null) {
      echo.setConferenceName(request.getConferenceName());
    }
    IQ response = echo.build();
    StanzaError.Builder error = StanzaError.getBuilder(e.condition());
    if (e.getMessage() != null) {
      error.setDescriptiveEnText(e.getMessage());
    }
    if (e.reason() != null) {
      error.addExtension(new Colibri2Error(e.reason()));
    }
    if (e.endpointId() != null) {
      Colibri2Endpoint.Builder endpoint = Colibri2Endpoint.getBuilder();
      endpoint.setId(e.endpointId());
      error.addExtension(endpoint.build());
    }
    response.setError(error.build());
    return response;
  }
}
