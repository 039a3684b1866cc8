package io.openmeet.systemtests;

import io.openmeet.testkit.SyntheticEndpoint;
import java.util.Optional;
import java.util.Set;

/**
 * The one bridge in a room-api's brewery, as the system tests see it: lite-bridge in-process or the
 * stock Jitsi Videobridge as a child process. Its state is read the way an operator would (JVB's
 * private REST API), so the same flow test runs on both.
 */
interface SystemBridge extends AutoCloseable {

  /** "lite-bridge" or "JVB", for messages and artefacts. */
  String kind();

  /** Its DTLS certificate's SHA-256 fingerprint (one per bridge), learnt without the focus. */
  String fingerprint() throws Exception;

  /** The endpoint ids of every conference it holds. */
  Set<String> endpoints() throws Exception;

  /** How many conferences it holds. */
  int conferenceCount() throws Exception;

  /**
   * Where a synthetic participant binds to reach the bridge's media here, or empty when it cannot
   * (then {@link #noMediaReason()} says why).
   */
  Optional<SyntheticEndpoint.Options> mediaOptions();

  /** Why {@link #mediaOptions()} is empty. */
  String noMediaReason();

  @Override
  void close();
}
