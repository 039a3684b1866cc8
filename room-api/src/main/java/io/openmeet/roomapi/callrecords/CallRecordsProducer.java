package io.openmeet.roomapi.callrecords;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.agroal.api.AgroalDataSource;
import io.openmeet.roomapi.focus.FocusConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/**
 * CDI wiring of the call-record writer (buffered, journaled, stored in Postgres); it is the
 * application's {@link io.openmeet.focus.records.CallRecorder}.
 */
@ApplicationScoped
public class CallRecordsProducer {

  @Produces
  @Singleton
  BufferedCallRecorder recorder(
      FocusConfig config, AgroalDataSource dataSource, ObjectMapper mapper) {
    var c = config.callRecords();
    return new BufferedCallRecorder(
        new JdbcCallRecordStore(dataSource),
        new CallRecordJournal(Path.of(c.journalFile()), mapper),
        c.bufferCapacity(),
        c.batchSize(),
        c.retryMin(),
        c.retryMax(),
        c.shutdownGrace());
  }

  void close(@Disposes BufferedCallRecorder recorder) {
    recorder.close();
  }
}
