package io.openmeet.roomapi.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.openmeet.focus.bridge.BridgeListener;
import io.openmeet.focus.bridge.BridgeRegistry;
import io.openmeet.presence.bridge.BridgeSnapshot;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** Per-bridge gauges ({@link BridgeGauges}) that follow the focus's {@link BridgeRegistry}. */
@Singleton
public class BridgeMetrics implements BridgeListener {

  private final BridgeRegistry bridgeRegistry;
  private final BridgeGauges gauges;

  BridgeMetrics(MeterRegistry meters, BridgeRegistry bridgeRegistry) {
    this.bridgeRegistry = bridgeRegistry;
    this.gauges = new BridgeGauges(meters, bridgeRegistry::bridges);
  }

  void start(@Observes StartupEvent event) {
    bridgeRegistry.addListener(this);
    // bridges the registry found before this listener was added
    gauges.refresh();
  }

  @Override
  public void bridgeUpdated(BridgeSnapshot bridge) {
    gauges.refresh();
  }

  @Override
  public void bridgeRemoved(String bridgeId) {
    gauges.refresh();
  }

  @Override
  public void bridgeUnhealthy(String bridgeId) {
    gauges.refresh();
  }
}
