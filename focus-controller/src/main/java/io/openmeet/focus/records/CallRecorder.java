package io.openmeet.focus.records;

/**
 * Where the focus reports call facts. Implementations must return at once: a slow or unavailable
 * database never delays or breaks a call.
 */
public interface CallRecorder {

  /** Hands an event over for writing; never blocks and never throws for storage trouble. */
  void record(CallRecordEvent event);
}
