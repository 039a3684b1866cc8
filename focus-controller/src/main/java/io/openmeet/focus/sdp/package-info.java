/**
 * SDP for the focus: a small generic model with a strict parser and a writer, the unified-plan
 * offer the focus builds from a Colibri2 allocation, and the typed reading of a browser's answer.
 * Nothing here talks to the network; malformed input only ever yields {@link
 * io.openmeet.focus.sdp.SdpParseException}.
 */
package io.openmeet.focus.sdp;
