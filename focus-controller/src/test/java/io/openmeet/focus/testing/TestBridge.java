package io.openmeet.focus.testing;

import java.util.Set;

/**
 * A real bridge in a brewery, driven the way an operator would: lite-bridge in-process ({@link
 * LiteTestBridge}) or the stock Jitsi Videobridge as a child process ({@link JvbTestBridge}). Tests
 * written against it run unchanged on both, so a difference between the bridges fails one of them.
 */
public interface TestBridge extends AutoCloseable {

  /** "lite-bridge" or "JVB", for messages. */
  String kind();

  /** Its brewery nickname (the bridge id the focus uses). */
  String id();

  /** Its occupant JID in the brewery. */
  String occupantJid();

  /**
   * The addresses its ICE host candidates may carry here: loopback for lite-bridge as configured in
   * tests, the machine's harvestable addresses for JVB (which never binds loopback).
   */
  Set<String> candidateAddresses();

  /** Turns drain on or off (the bridge reports it in its presence). */
  void setDrain(boolean drain) throws Exception;

  /** Stops it: it leaves the brewery. */
  @Override
  void close();
}
