/** Call history facts the focus reports (call logs, participants) and the port that stores them. */
package io.openmeet.focus.records;
