package io.openmeet.roomapi.callrecords;

import io.openmeet.focus.records.CallRecordEvent;
import java.util.List;

/** Durable storage of call facts; a batch is written all or nothing, in order. */
public interface CallRecordStore {

  /** Writes the events in order, atomically; throws when the store is unavailable. */
  void write(List<CallRecordEvent> batch) throws Exception;
}
