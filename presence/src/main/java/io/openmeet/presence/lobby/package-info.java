/**
 * Lobbies (waiting rooms) of rooms, shared by every node: waiters, moderators present, and the
 * events that let them in or turn them away.
 */
package io.openmeet.presence.lobby;
