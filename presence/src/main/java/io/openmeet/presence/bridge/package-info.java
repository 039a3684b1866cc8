/**
 * Shared bridge state: each bridge's last stats snapshot ({@code bridge:{id}} with a TTL) and the
 * admission reservations that keep a burst of joins across nodes from overshooting a bridge.
 */
package io.openmeet.presence.bridge;
