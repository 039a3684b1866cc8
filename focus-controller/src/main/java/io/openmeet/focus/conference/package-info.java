/** Conferences: participants joining, offers and answers, presence, leases and call records. */
package io.openmeet.focus.conference;
