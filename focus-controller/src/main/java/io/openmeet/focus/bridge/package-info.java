/**
 * Bridges: discovery in the brewery MUC, health checks, and selection with admission control. The
 * registry is this node's view; the snapshots it writes to Redis are every node's view.
 */
package io.openmeet.focus.bridge;
