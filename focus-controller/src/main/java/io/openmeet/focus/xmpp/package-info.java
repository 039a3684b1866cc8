/** The focus's one XMPP connection: settings, connect with backoff, Smack provider set-up. */
package io.openmeet.focus.xmpp;
