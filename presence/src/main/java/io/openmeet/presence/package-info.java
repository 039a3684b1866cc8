/** Redis-backed shared state of the control plane: presence, bridge load, leases, events. */
package io.openmeet.presence;
