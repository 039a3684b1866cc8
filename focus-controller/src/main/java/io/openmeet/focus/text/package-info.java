/**
 * The one policy for human text (room names, display names, chat): which characters are refused,
 * how text is normalised, how long it may be. room-api applies it at REST and on the signalling
 * socket; the focus applies it again to the names it passes to bridges.
 */
package io.openmeet.focus.text;
