package io.openmeet.focus.colibri;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for the bridge's answer to a request that was sent without waiting for it. */
final class BridgeAnswers {

  private BridgeAnswers() {}

  /** Returns once the bridge answered; its refusal is thrown as the request's own exception. */
  static void answered(CompletableFuture<Void> request)
      throws ColibriException, InterruptedException, TimeoutException {
    try {
      request.get(15, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof ColibriException c) {
        throw c;
      }
      throw new AssertionError("the request failed unexpectedly", e.getCause());
    }
  }
}
