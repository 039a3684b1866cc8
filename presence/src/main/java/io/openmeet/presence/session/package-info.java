/**
 * Signalling sessions shared by every node: resume tokens that a browser may present on any node
 * after its socket dropped.
 */
package io.openmeet.presence.session;
