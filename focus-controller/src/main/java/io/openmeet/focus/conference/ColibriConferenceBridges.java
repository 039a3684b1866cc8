package io.openmeet.focus.conference;

import io.openmeet.focus.colibri.BridgeFailedException;
import io.openmeet.focus.colibri.ColibriAllocation;
import io.openmeet.focus.colibri.ColibriException;
import io.openmeet.focus.colibri.ColibriSessionManager;
import io.openmeet.focus.colibri.ConferenceNotFoundException;
import io.openmeet.focus.colibri.NoBridgeException;
import io.openmeet.focus.colibri.UnknownEndpointException;
import io.openmeet.focus.colibri.UnsendableRequestException;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The conferences' view of the {@link ColibriSessionManager}: one {@link ConferenceBridge} per
 * conference session, named {@code <room slug>@<conference MUC>} on the bridge.
 */
public final class ColibriConferenceBridges implements ConferenceBridge.Factory {

  private final ColibriSessionManager colibri;
  private final String conferenceMuc;

  public ColibriConferenceBridges(ColibriSessionManager colibri, String conferenceMuc) {
    this.colibri = colibri;
    this.conferenceMuc = conferenceMuc;
  }

  @Override
  public ConferenceBridge open(String meetingId, String roomName, Optional<String> region) {
    return bridge(
        new ColibriSessionManager.Conference(meetingId, roomName + "@" + conferenceMuc, region));
  }

  @Override
  public ConferenceBridge.Adopted adopt(
      String meetingId,
      String roomName,
      Optional<String> region,
      String bridgeId,
      java.util.Set<String> endpointIds) {
    var conference =
        new ColibriSessionManager.Conference(meetingId, roomName + "@" + conferenceMuc, region);
    boolean same = colibri.adopt(conference, bridgeId, endpointIds);
    return new ConferenceBridge.Adopted(bridge(conference), same);
  }

  private ConferenceBridge bridge(ColibriSessionManager.Conference conference) {
    String meetingId = conference.meetingId();
    return new ConferenceBridge() {
      @Override
      public Allocation allocate(String endpointId, String statsId) throws FocusException {
        try {
          return allocation(colibri.allocate(conference, endpointId, statsId));
        } catch (ColibriException e) {
          throw translate(e);
        }
      }

      @Override
      public Map<String, Moved> allocateAll(Map<String, String> statsIds) {
        Map<String, Moved> out = new LinkedHashMap<>();
        colibri
            .allocateAll(conference, statsIds)
            .forEach(
                (id, m) ->
                    out.put(
                        id,
                        m.allocation() != null
                            ? new Moved(allocation(m.allocation()), null)
                            : new Moved(null, translate(m.failure()))));
        return out;
      }

      @Override
      public CompletionStage<Void> update(
          String endpointId, TransportDescription transport, List<MediaSource> sources) {
        return translated(colibri.update(meetingId, endpointId, transport, sources));
      }

      @Override
      public CompletionStage<Void> addCandidates(
          String endpointId, TransportDescription transport) {
        return translated(colibri.addCandidates(meetingId, endpointId, transport));
      }

      @Override
      public void forceMute(String endpointId, boolean audio, boolean video) throws FocusException {
        try {
          colibri.forceMute(meetingId, endpointId, audio, video);
        } catch (ColibriException e) {
          throw translate(e);
        }
      }

      @Override
      public void expire(String endpointId) {
        colibri.expire(meetingId, endpointId);
      }

      @Override
      public void close() {
        colibri.expireConference(meetingId);
      }
    };
  }

  private static ConferenceBridge.Allocation allocation(ColibriAllocation a) {
    return new ConferenceBridge.Allocation(
        a.transport(), a.feedbackSources(), a.webSocketUrl(), a.bridgeId());
  }

  /** A request's outcome with its Colibri failure translated. */
  private static CompletionStage<Void> translated(CompletableFuture<Void> request) {
    return request.exceptionallyCompose(
        e -> {
          Throwable cause =
              e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
          return CompletableFuture.failedFuture(
              cause instanceof ColibriException c
                  ? translate(c)
                  : new FocusException(FocusException.Reason.INTERNAL, cause.toString(), cause));
        });
  }

  /** Colibri failures as the signalling layer reports them. */
  static FocusException translate(ColibriException e) {
    FocusException.Reason reason;
    if (e instanceof NoBridgeException || e instanceof BridgeFailedException) {
      reason = FocusException.Reason.NO_BRIDGE;
    } else if (e instanceof UnknownEndpointException || e instanceof ConferenceNotFoundException) {
      reason = FocusException.Reason.UNEXPECTED;
    } else if (e instanceof UnsendableRequestException) {
      reason = FocusException.Reason.INVALID_INPUT;
    } else {
      reason = FocusException.Reason.INTERNAL;
    }
    return new FocusException(reason, e.getMessage(), e);
  }
}
