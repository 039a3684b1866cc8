package io.openmeet.focus.colibri;

import io.openmeet.focus.bridge.BridgeListener;
import io.openmeet.focus.bridge.BridgeSelector;
import io.openmeet.focus.bridge.NoBridgeAvailableException;
import io.openmeet.focus.bridge.SelectionContext;
import io.openmeet.focus.sdp.CodecSettings;
import io.openmeet.focus.sdp.MediaSource;
import io.openmeet.focus.sdp.TransportDescription;
import io.openmeet.focus.xmpp.SmackSetup;
import io.openmeet.focus.xmpp.XmlChars;
import io.openmeet.presence.bridge.BridgeAdmission;
import io.openmeet.presence.bridge.BridgeAdmission.Reservation;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jitsi.xmpp.extensions.colibri2.Colibri2Error;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifiedIQ;
import org.jitsi.xmpp.extensions.colibri2.ConferenceModifyIQ;
import org.jivesoftware.smack.SmackException;
import org.jivesoftware.smack.StanzaCollector;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * {@link ColibriSessionManager} over Colibri2: {@code conference-modify} IQs to the bridge's
 * occupant JID in the brewery. A new conference's bridge comes from the {@link BridgeSelector}
 * (with its admission reservation, given back when the allocation fails); a bridge that fails or
 * does not answer is reported through {@code bridgeFailed} (e.g. {@code registry::markUnhealthy})
 * and the next one is tried.
 */
public final class Colibri2SessionManager implements ColibriSessionManager {

  private static final Logger LOG = Logger.getLogger(Colibri2SessionManager.class.getName());

  private final XMPPConnection xmpp;
  private final BridgeSelector selector;
  private final BridgeAdmission admission;
  private final Consumer<String> bridgeFailed;
  private final CodecSettings codecs;
  private final Duration timeout;
  private final int maxAttempts;
  private final Map<String, ConferenceState> conferences = new ConcurrentHashMap<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  // the answers awaited from each bridge: removing a bridge fails them at once, so that neither a
  // conference's lane nor its move waits for the request timeout of a bridge that is gone
  private final Map<String, Set<StanzaCollector>> awaited = new ConcurrentHashMap<>();
  // per bridge, the answers to requests sent without waiting (updates, candidates): removeBridge
  // fails them at once, as it cancels the awaited ones
  private final Map<String, Set<CompletableFuture<Void>>> pending = new ConcurrentHashMap<>();
  // one thread at most, in order, gone when idle
  private final ExecutorService failover =
      new ThreadPoolExecutor(
          0,
          1,
          5,
          TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(),
          r -> {
            Thread t = new Thread(r, "colibri-bridge-failover");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param bridgeFailed told the id of a bridge that failed a request
   * @param timeout how long to wait for a bridge's answer
   * @param maxAttempts how many bridges an allocation may try
   */
  public Colibri2SessionManager(
      XMPPConnection xmpp,
      BridgeSelector selector,
      BridgeAdmission admission,
      Consumer<String> bridgeFailed,
      CodecSettings codecs,
      Duration timeout,
      int maxAttempts) {
    SmackSetup.registerProviders();
    this.xmpp = Objects.requireNonNull(xmpp, "xmpp");
    this.selector = Objects.requireNonNull(selector, "selector");
    this.admission = Objects.requireNonNull(admission, "admission");
    this.bridgeFailed = Objects.requireNonNull(bridgeFailed, "bridgeFailed");
    this.codecs = Objects.requireNonNull(codecs, "codecs");
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1");
    }
    this.maxAttempts = maxAttempts;
  }

  /**
   * A registry listener that calls {@link #removeBridge} when a bridge leaves the brewery, and also
   * when it turns unhealthy (a failed health check or Colibri2 request): its conferences move at
   * once. {@code registry.addListener(manager.bridgeListener())}.
   */
  public BridgeListener bridgeListener() {
    return new BridgeListener() {
      @Override
      public void bridgeRemoved(String bridgeId) {
        removeBridge(bridgeId);
      }

      @Override
      public void bridgeUnhealthy(String bridgeId) {
        // Told under a conference's lock when a request failed: the move takes every conference's
        // lock, so it runs on its own thread.
        failover.execute(() -> abandonBridge(bridgeId));
      }
    };
  }

  /**
   * Moves every conference off an unhealthy bridge that is still in the brewery, like {@link
   * #removeBridge}, after asking that bridge (without waiting) to expire them: if it comes back it
   * must not keep forwarding to endpoints that moved. The expire goes first, so it can never follow
   * a new create of the same conference there on this connection.
   */
  private void abandonBridge(String bridgeId) {
    for (ConferenceState c : conferences.values()) {
      synchronized (c) {
        if (bridgeId.equals(c.bridgeId) && c.created && c.bridgeJid != null) {
          sendQuietly(
              Colibri2Messages.expireConference(
                  ConferenceModifyIQ.builder(xmpp), c.bridgeJid, c.conference.meetingId()),
              c,
              "expire conference left on an unhealthy bridge");
        }
      }
    }
    removeBridge(bridgeId);
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(listener);
  }

  @Override
  public boolean adopt(Conference conference, String bridgeId, Set<String> endpointIds) {
    ConferenceState c =
        conferences.computeIfAbsent(conference.meetingId(), id -> new ConferenceState(conference));
    Optional<io.openmeet.presence.bridge.BridgeSnapshot> bridge =
        selector.bridge(bridgeId).filter(b -> b.acceptsJoinsToItsConferences());
    synchronized (c) {
      if (bridge.isEmpty()) {
        c.bridgeId = null;
        c.bridgeJid = null;
        c.lost();
        c.endpoints.clear();
        return false;
      }
      try {
        c.bridgeJid = jid(bridge.get().jid());
      } catch (BridgeFailedException e) {
        return false;
      }
      c.bridgeId = bridgeId;
      c.created = true;
      c.endpoints.clear();
      c.endpoints.addAll(endpointIds);
      return true;
    }
  }

  @Override
  public Optional<String> bridgeOf(String meetingId) {
    ConferenceState c = conferences.get(meetingId);
    if (c == null) {
      return Optional.empty();
    }
    synchronized (c) {
      return Optional.ofNullable(c.bridgeId);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>No allocation holds the conference's lock for its bridge round trip. The request is put on
   * the connection under the lock and answered without it: stanzas on one connection reach the
   * bridge in order, and JVB (like lite-bridge) applies one conference's requests in order, so the
   * joins that follow a conference's create are sent right behind it, without `create`, instead of
   * waiting for its answer (as jicofo does). If the create fails, they fail with
   * conference-not-found and try again, and one of them creates the conference anew.
   */
  @Override
  public ColibriAllocation allocate(Conference conference, String endpointId, String statsId)
      throws ColibriException {
    return allocate(conference, endpointId, statsId, false, null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Every create is put on the connection before the first answer is awaited (one round trip for
   * all of them, instead of one each); JVB takes only one endpoint create per request, so they go
   * as separate requests, in order. An endpoint whose first attempt fails is then allocated on its
   * own, with the usual retries. The conference may go to a bridge up to the load limit of joins to
   * an existing conference: it was admitted once, and refusing the move would cut everyone's media.
   */
  @Override
  public Map<String, Moved> allocateAll(Conference conference, Map<String, String> statsIds) {
    ConferenceState c =
        conferences.computeIfAbsent(conference.meetingId(), id -> new ConferenceState(conference));
    Map<String, Attempt> sent = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : statsIds.entrySet()) {
      Attempt attempt = null;
      try {
        attempt = send(c, e.getKey(), e.getValue(), new HashSet<>(), true, null);
      } catch (Retry | ColibriException failed) {
        // tried again on its own below
      }
      sent.put(e.getKey(), attempt);
    }
    Map<String, Moved> out = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : statsIds.entrySet()) {
      try {
        out.put(
            e.getKey(),
            Moved.of(allocate(conference, e.getKey(), e.getValue(), true, sent.get(e.getKey()))));
      } catch (ColibriException failed) {
        out.put(e.getKey(), Moved.failed(failed));
      }
    }
    return out;
  }

  /**
   * Allocates one endpoint, trying up to {@code maxAttempts} bridges.
   *
   * @param moving the conference was admitted before and moves (see {@link #allocateAll})
   * @param first an attempt already on the connection, awaited first; null to start one
   */
  private ColibriAllocation allocate(
      Conference conference, String endpointId, String statsId, boolean moving, Attempt first)
      throws ColibriException {
    ConferenceState c =
        conferences.computeIfAbsent(conference.meetingId(), id -> new ConferenceState(conference));
    ColibriException last = null;
    Set<String> tried = new HashSet<>();
    for (int attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        Attempt sent =
            attempt == 1 && first != null
                ? first
                : send(c, endpointId, statsId, tried, moving, last);
        return await(c, endpointId, sent, tried);
      } catch (Retry r) {
        last = r.failure;
      }
    }
    throw last;
  }

  /** One allocation request on the connection, waiting for its answer. */
  private record Attempt(
      BridgeSelector.Selection selection,
      String bridgeId,
      long generation,
      Jid sentTo,
      StanzaCollector answer) {}

  /** This attempt failed in a way another attempt may fix. */
  private static final class Retry extends Exception {
    private static final long serialVersionUID = 1L;
    final transient ColibriException failure;

    Retry(ColibriException failure) {
      super(null, null, false, false);
      this.failure = failure;
    }
  }

  /**
   * Selects a bridge and puts the endpoint's create on the connection, under the conference's lock
   * but without waiting for the answer.
   *
   * @param last the failure of the previous attempt, thrown when no bridge is left to try
   */
  private Attempt send(
      ConferenceState c,
      String endpointId,
      String statsId,
      Set<String> tried,
      boolean moving,
      ColibriException last)
      throws ColibriException, Retry {
    Conference conference = c.conference;
    synchronized (c) {
      BridgeSelector.Selection selection;
      try {
        selection =
            selector.select(
                new SelectionContext(Optional.ofNullable(c.bridgeId), conference.region(), moving),
                tried);
      } catch (NoBridgeAvailableException e) {
        if (last != null) {
          throw last;
        }
        throw new NoBridgeException(e.getMessage(), e);
      }
      String bridgeId = selection.bridge().id();
      if (!bridgeId.equals(c.bridgeId)) {
        // A new conference, or its bridge is no longer usable: (re)create it on this one. Those
        // still on the old bridge must follow; their conference is told so.
        if (c.bridgeId != null && !c.endpoints.isEmpty()) {
          Map<String, Set<String>> left = Map.of(conference.meetingId(), Set.copyOf(c.endpoints));
          String old = c.bridgeId;
          listeners.forEach(l -> l.bridgeRemoved(old, left));
        }
        c.bridgeId = bridgeId;
        c.bridgeJid = jid(selection.bridge().jid());
        c.lost();
        c.endpoints.clear();
      }
      boolean create = !c.created;
      StanzaCollector answer;
      try {
        answer =
            sendRequest(
                Colibri2Messages.createEndpoint(
                    ConferenceModifyIQ.builder(xmpp),
                    c.bridgeJid,
                    conference.meetingId(),
                    conference.name(),
                    create,
                    endpointId,
                    statsId,
                    codecs),
                bridgeId);
      } catch (ColibriException e) {
        throw new Retry(failed(c, e, selection, tried, c.generation));
      }
      // whatever follows goes behind this request: the conference exists for it
      c.created = true;
      c.inFlight++;
      return new Attempt(selection, bridgeId, c.generation, c.bridgeJid, answer);
    }
  }

  /** Waits for an attempt's answer without the conference's lock, then records it. */
  private ColibriAllocation await(
      ConferenceState c, String endpointId, Attempt a, Set<String> tried)
      throws ColibriException, Retry {
    ConferenceModifiedIQ response = null;
    try {
      response = awaitAnswer(a.answer(), a.bridgeId(), endpointId);
    } catch (ColibriException e) {
      synchronized (c) {
        boolean moved = !a.bridgeId().equals(c.bridgeId) || a.generation() != c.generation;
        if (!moved || !(e instanceof BridgeFailedException f) || f.bridgeUnhealthy()) {
          c.inFlight--;
          throw new Retry(failed(c, e, a.selection(), tried, a.generation()));
        }
        // the bridge was removed (or we stopped waiting) after the conference left it: as below
      }
    }
    synchronized (c) {
      c.inFlight--;
      if (response != null && a.bridgeId().equals(c.bridgeId) && a.generation() == c.generation) {
        try {
          return allocated(c, response, a.selection(), endpointId);
        } catch (ColibriException e) {
          release(a.selection());
          throw e;
        }
      }
      // The conference moved or was created anew while we waited: the endpoint the bridge just
      // made belongs to a conference we no longer use there; it goes (in order, before a retry).
      String meetingId = c.conference.meetingId();
      release(a.selection());
      sendQuietly(
          Colibri2Messages.expireEndpoint(
              ConferenceModifyIQ.builder(xmpp), a.sentTo(), meetingId, endpointId),
          meetingId,
          a.bridgeId(),
          "expire stale endpoint " + endpointId);
      throw new Retry(
          new ConferenceNotFoundException(
              "conference " + meetingId + " left bridge " + a.bridgeId(), a.bridgeId(), null));
    }
  }

  /** Records a successful allocation; call with the conference's lock held. */
  private ColibriAllocation allocated(
      ConferenceState c,
      ConferenceModifiedIQ response,
      BridgeSelector.Selection selection,
      String endpointId)
      throws ColibriException {
    String bridgeId = selection.bridge().id();
    ColibriAllocation allocation = Colibri2Messages.allocation(response, bridgeId, endpointId);
    c.endpoints.add(endpointId);
    Reservation previous = c.reservations.put(endpointId, selection.reservation());
    if (previous != null) {
      release(bridgeId, previous); // re-allocated (ICE restart, new bridge)
    }
    return allocation;
  }

  /**
   * Gives the reservation back and decides whether another attempt may help; call with the
   * conference's lock held.
   *
   * @return the failure to report if no attempt succeeds
   * @throws ColibriException when retrying cannot help
   */
  private ColibriException failed(
      ConferenceState c,
      ColibriException e,
      BridgeSelector.Selection selection,
      Set<String> tried,
      long generation)
      throws ColibriException {
    release(selection);
    String bridgeId = selection.bridge().id();
    if (e instanceof ConferenceNotFoundException) {
      if (bridgeId.equals(c.bridgeId) && generation == c.generation) {
        c.lost(); // the bridge lost it (or its create failed): the next attempt creates it again
      }
      return e;
    }
    if (e instanceof BridgeFailedException failure) {
      if (failure.bridgeUnhealthy()) {
        bridgeFailed.accept(bridgeId);
      } else {
        tried.add(bridgeId); // in graceful shutdown, or our XMPP link is down
      }
      // only a failure of the conference as it is now: when an attempt behind this one has
      // already created it anew (its conference-not-found came first), forgetting the bridge here
      // would make the next attempt create it a second time (conflict)
      if (bridgeId.equals(c.bridgeId) && generation == c.generation) {
        if (failure.bridgeUnhealthy() && !c.endpoints.isEmpty()) {
          // those already on the failed bridge follow the conference wherever it goes next
          Map<String, Set<String>> left = Map.of(c.conference.meetingId(), Set.copyOf(c.endpoints));
          listeners.forEach(l -> l.bridgeRemoved(bridgeId, left));
          c.endpoints.clear();
        }
        c.bridgeId = null;
      }
      return e;
    }
    if (e instanceof ColibriRejectedException rejected
        && rejected.reason().orElse(null) == Colibri2Error.Reason.CONFERENCE_ALREADY_EXISTS) {
      if (bridgeId.equals(c.bridgeId) && generation == c.generation) {
        c.created = true; // an earlier create did arrive: the next attempt adds the endpoint
      }
      return e;
    }
    throw e;
  }

  @Override
  public CompletableFuture<Void> update(
      String meetingId,
      String endpointId,
      TransportDescription transport,
      List<MediaSource> sources) {
    return modifyEndpointAsync(
        meetingId,
        endpointId,
        c ->
            Colibri2Messages.updateEndpoint(
                ConferenceModifyIQ.builder(xmpp),
                c.bridgeJid,
                meetingId,
                endpointId,
                transport,
                sources));
  }

  @Override
  public CompletableFuture<Void> addCandidates(
      String meetingId, String endpointId, TransportDescription transport) {
    return modifyEndpointAsync(
        meetingId,
        endpointId,
        c ->
            Colibri2Messages.addCandidates(
                ConferenceModifyIQ.builder(xmpp), c.bridgeJid, meetingId, endpointId, transport));
  }

  @Override
  public void forceMute(String meetingId, String endpointId, boolean audio, boolean video)
      throws ColibriException {
    modifyEndpoint(
        meetingId,
        endpointId,
        c ->
            Colibri2Messages.forceMute(
                ConferenceModifyIQ.builder(xmpp),
                c.bridgeJid,
                meetingId,
                endpointId,
                audio,
                video));
  }

  /**
   * Sends a change to one endpoint of a conference this node allocated and waits for the answer
   * without holding the conference (a bridge that died meanwhile must not keep {@link
   * #removeBridge} waiting for the request's timeout); a failed bridge, a lost conference or an
   * unknown endpoint is recorded before it is thrown, unless the conference has moved on to another
   * bridge.
   */
  private void modifyEndpoint(
      String meetingId, String endpointId, Function<ConferenceState, ConferenceModifyIQ> request)
      throws ColibriException {
    ConferenceState c = knownConference(meetingId);
    String bridgeId;
    StanzaCollector answer;
    synchronized (c) {
      bridgeId = requireBridge(c);
      // sent under the lock so that one conference's requests leave in order
      answer = sendRequest(request.apply(c), bridgeId);
    }
    try {
      awaitAnswer(answer, bridgeId, endpointId);
    } catch (ColibriException e) {
      recordFailure(c, bridgeId, endpointId, e);
      throw e;
    }
  }

  /**
   * Like {@link #modifyEndpoint}, but returns once the request is on the connection (in order with
   * the conference's others); the future completes with the bridge's answer.
   */
  private CompletableFuture<Void> modifyEndpointAsync(
      String meetingId, String endpointId, Function<ConferenceState, ConferenceModifyIQ> request) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      ConferenceState c = knownConference(meetingId);
      synchronized (c) {
        String bridgeId = requireBridge(c);
        ConferenceModifyIQ iq = request.apply(c);
        requireSendable(iq, bridgeId);
        Set<CompletableFuture<Void>> onBridge =
            pending.computeIfAbsent(bridgeId, id -> ConcurrentHashMap.newKeySet());
        onBridge.add(done);
        done.whenComplete((ok, e) -> onBridge.remove(done));
        xmpp.sendIqRequestAsync(iq, timeout.toMillis())
            .onSuccess(
                response -> {
                  if (response instanceof ConferenceModifiedIQ) {
                    done.complete(null);
                  } else {
                    done.completeExceptionally(malformed(response, bridgeId));
                  }
                })
            .onError(
                e -> {
                  if (done.isDone()) {
                    return; // failed when its bridge was removed
                  }
                  boolean removed;
                  synchronized (c) {
                    removed = !bridgeId.equals(c.bridgeId);
                  }
                  ColibriException failure = failure(e, bridgeId, endpointId, removed);
                  recordFailure(c, bridgeId, endpointId, failure);
                  done.completeExceptionally(failure);
                });
      }
    } catch (ColibriException e) {
      done.completeExceptionally(e);
    }
    return done;
  }

  private ConferenceState knownConference(String meetingId) throws ConferenceNotFoundException {
    ConferenceState c = conferences.get(meetingId);
    if (c == null) {
      throw new ConferenceNotFoundException(
          "no conference " + meetingId + " is allocated by this node", null, null);
    }
    return c;
  }

  /** The conference's bridge; call with its lock held. */
  private static String requireBridge(ConferenceState c) throws ConferenceNotFoundException {
    if (c.bridgeId == null || !c.created) {
      throw new ConferenceNotFoundException(
          "conference " + c.conference.meetingId() + " has no bridge now", null, null);
    }
    return c.bridgeId;
  }

  /**
   * Records what a failed request says about the bridge, unless the conference has moved on to
   * another bridge: a failed bridge is reported (its conferences move), a lost conference is
   * created again by the next allocation, an unknown endpoint is forgotten.
   */
  private void recordFailure(
      ConferenceState c, String bridgeId, String endpointId, ColibriException e) {
    if (e instanceof BridgeFailedException f) {
      if (f.bridgeUnhealthy()) {
        bridgeFailed.accept(bridgeId);
      }
      return;
    }
    synchronized (c) {
      if (!bridgeId.equals(c.bridgeId)) {
        return;
      }
      if (e instanceof ConferenceNotFoundException) {
        c.lost();
      } else if (e instanceof UnknownEndpointException) {
        c.endpoints.remove(endpointId);
      }
    }
  }

  @Override
  public void expire(String meetingId, String endpointId) {
    ConferenceState c = conferences.get(meetingId);
    if (c == null) {
      return;
    }
    synchronized (c) {
      c.endpoints.remove(endpointId);
      Reservation reservation = c.reservations.remove(endpointId);
      if (reservation != null) {
        release(c.bridgeId, reservation);
      }
      if (c.bridgeId == null || !c.created) {
        return;
      }
      if (c.endpoints.isEmpty() && c.inFlight == 0) {
        expireConferenceLocked(c);
        return;
      }
      sendQuietly(
          Colibri2Messages.expireEndpoint(
              ConferenceModifyIQ.builder(xmpp), c.bridgeJid, meetingId, endpointId),
          c,
          "expire endpoint " + endpointId);
    }
  }

  @Override
  public void expireConference(String meetingId) {
    ConferenceState c = conferences.get(meetingId);
    if (c == null) {
      return;
    }
    synchronized (c) {
      expireConferenceLocked(c);
    }
  }

  private void expireConferenceLocked(ConferenceState c) {
    if (c.bridgeId != null && c.created) {
      sendQuietly(
          Colibri2Messages.expireConference(
              ConferenceModifyIQ.builder(xmpp), c.bridgeJid, c.conference.meetingId()),
          c,
          "expire conference");
    }
    c.lost();
    c.endpoints.clear();
    c.reservations.forEach((endpoint, reservation) -> release(c.bridgeId, reservation));
    c.reservations.clear();
    conferences.remove(c.conference.meetingId(), c);
  }

  @Override
  public Map<String, Set<String>> removeBridge(String bridgeId) {
    Map<String, Set<String>> affected = new HashMap<>();
    for (ConferenceState c : conferences.values()) {
      synchronized (c) {
        if (bridgeId.equals(c.bridgeId)) {
          affected.put(c.conference.meetingId(), Set.copyOf(c.endpoints));
          c.reservations.forEach((endpoint, reservation) -> release(bridgeId, reservation));
          c.reservations.clear();
          c.bridgeId = null;
          c.bridgeJid = null;
          c.lost();
          c.endpoints.clear();
        }
      }
    }
    Set<StanzaCollector> unanswered = awaited.remove(bridgeId);
    if (unanswered != null) {
      unanswered.forEach(StanzaCollector::cancel);
    }
    Set<CompletableFuture<Void>> unansweredAsync = pending.remove(bridgeId);
    if (unansweredAsync != null) {
      unansweredAsync.forEach(
          f ->
              f.completeExceptionally(
                  new BridgeFailedException(
                      "bridge " + bridgeId + " was removed before it answered",
                      bridgeId,
                      false,
                      null)));
    }
    if (!affected.isEmpty()) {
      LOG.warning(() -> "bridge " + bridgeId + " removed with conferences " + affected.keySet());
      listeners.forEach(l -> l.bridgeRemoved(bridgeId, Map.copyOf(affected)));
    }
    return affected;
  }

  private ConferenceModifiedIQ send(ConferenceModifyIQ request, String bridgeId, String endpointId)
      throws ColibriException {
    return awaitAnswer(sendRequest(request, bridgeId), bridgeId, endpointId);
  }

  /**
   * Puts a request on the connection (in order with the others) and returns where its answer comes.
   */
  private StanzaCollector sendRequest(ConferenceModifyIQ request, String bridgeId)
      throws ColibriException {
    requireSendable(request, bridgeId);
    try {
      StanzaCollector answer = xmpp.createStanzaCollectorAndSend(request);
      awaited.computeIfAbsent(bridgeId, id -> ConcurrentHashMap.newKeySet()).add(answer);
      return answer;
    } catch (SmackException.NotConnectedException e) {
      throw new BridgeFailedException("the focus is not connected to XMPP", bridgeId, false, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BridgeFailedException(
          "interrupted while sending to " + bridgeId, bridgeId, false, e);
    }
  }

  private ConferenceModifiedIQ awaitAnswer(
      StanzaCollector answer, String bridgeId, String endpointId) throws ColibriException {
    try {
      IQ response = answer.nextResultOrThrow(timeout.toMillis());
      if (response instanceof ConferenceModifiedIQ modified) {
        return modified;
      }
      throw malformed(response, bridgeId);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failure(e, bridgeId, endpointId, false);
    } catch (SmackException.NoResponseException e) {
      Set<StanzaCollector> stillAwaited = awaited.get(bridgeId);
      // removeBridge cancelled it: the bridge is already gone, not merely slow
      throw failure(
          e, bridgeId, endpointId, stillAwaited == null || !stillAwaited.contains(answer));
    } catch (XMPPException.XMPPErrorException | SmackException.NotConnectedException e) {
      throw failure(e, bridgeId, endpointId, false);
    } catch (IllegalStateException e) {
      // Smack's "collector already cancelled": removeBridge cancelled it before this wait began
      throw failure(e, bridgeId, endpointId, true);
    } finally {
      Set<StanzaCollector> stillAwaited = awaited.get(bridgeId);
      if (stillAwaited != null) {
        stillAwaited.remove(answer);
      }
    }
  }

  private static ColibriRejectedException malformed(IQ response, String bridgeId) {
    return new ColibriRejectedException(
        "bridge " + bridgeId + " answered with " + response.getChildElementName(),
        bridgeId,
        "malformed-response",
        null,
        null);
  }

  /**
   * What a request's failure means.
   *
   * @param removed the bridge was removed (or the conference left it) before it answered
   */
  private ColibriException failure(
      Exception e, String bridgeId, String endpointId, boolean removed) {
    if (e instanceof XMPPException.XMPPErrorException error) {
      return Colibri2Messages.error(error.getStanzaError(), bridgeId, endpointId, error);
    }
    if (e instanceof SmackException.NotConnectedException) {
      return new BridgeFailedException("the focus is not connected to XMPP", bridgeId, false, e);
    }
    if (e instanceof InterruptedException) {
      return new BridgeFailedException(
          "interrupted while waiting for " + bridgeId, bridgeId, false, e);
    }
    if (removed) {
      return new BridgeFailedException(
          "bridge " + bridgeId + " was removed before it answered", bridgeId, false, e);
    }
    if (e instanceof SmackException.NoResponseException) {
      return new BridgeFailedException(
          "bridge " + bridgeId + " did not answer within " + timeout, bridgeId, e);
    }
    return new BridgeFailedException(
        "request to bridge " + bridgeId + " failed: " + e, bridgeId, false, e);
  }

  /**
   * Sends an expire without waiting for the answer: a leave must not hold the conference for a
   * bridge round trip. Stanzas on one connection reach the bridge in order, and JVB (like
   * lite-bridge) applies one conference's requests in order, so a later allocation still comes
   * after it. A failure is only logged: the bridge expires idle endpoints and empty conferences by
   * itself.
   */
  private void sendQuietly(ConferenceModifyIQ request, ConferenceState c, String what) {
    sendQuietly(request, c.conference.meetingId(), c.bridgeId, what);
  }

  private void sendQuietly(
      ConferenceModifyIQ request, String meetingId, String bridgeId, String what) {
    try {
      requireSendable(request, bridgeId);
    } catch (UnsendableRequestException e) {
      LOG.log(Level.WARNING, "{0} of {1} not sent: {2}", new Object[] {what, meetingId, e});
      return;
    }
    xmpp.sendIqRequestAsync(request, timeout.toMillis())
        .onError(
            e ->
                LOG.log(
                    Level.INFO,
                    "{0} of {1} on {2} failed: {3}",
                    new Object[] {what, meetingId, bridgeId, e.toString()}));
  }

  /**
   * Refuses a request that XML 1.0 cannot carry: Smack would send it as it is, and the XMPP server
   * would close the stream that every conference of this node uses (not-well-formed).
   */
  private static void requireSendable(ConferenceModifyIQ request, String bridgeId)
      throws UnsendableRequestException {
    String xml = request.toXML().toString();
    int at = XmlChars.firstInvalid(xml);
    if (at >= 0) {
      throw new UnsendableRequestException(
          String.format(
              Locale.ROOT,
              "a value of the request to bridge %s holds U+%04X, which XML cannot carry",
              bridgeId,
              (int) xml.charAt(at)),
          bridgeId);
    }
  }

  private void release(BridgeSelector.Selection selection) {
    release(selection.bridge().id(), selection.reservation());
  }

  private void release(String bridgeId, Reservation reservation) {
    try {
      admission.release(reservation);
    } catch (RuntimeException e) {
      // The reservation then expires by age; the Colibri2 outcome matters more.
      LOG.log(Level.WARNING, "could not release a reservation on " + bridgeId, e);
    }
  }

  private static Jid jid(String jid) throws BridgeFailedException {
    try {
      return JidCreate.from(jid);
    } catch (XmppStringprepException e) {
      throw new BridgeFailedException("bridge JID is not valid: " + jid, null, e);
    }
  }

  private static final class ConferenceState {
    final Conference conference;
    final Set<String> endpoints = new LinkedHashSet<>();
    // Admission reservations of the endpoints allocated here, given back when an endpoint leaves:
    // one that leaves before the bridge's stats include it must not keep loading the bridge.
    // (Releasing one the stats already settled is a no-op.)
    final Map<String, Reservation> reservations = new HashMap<>();
    String bridgeId;
    Jid bridgeJid;
    // a create was sent to bridgeId: later requests go without `create`, right behind it
    boolean created;
    // which incarnation on the bridge: answers to requests sent to an earlier one are stale
    long generation;
    // allocations to this conference waiting for the bridge without the lock
    int inFlight;

    ConferenceState(Conference conference) {
      this.conference = conference;
    }

    /** The conference is gone from its bridge (or never got there): the next request creates it. */
    void lost() {
      created = false;
      generation++;
    }
  }
}
