/** Synthetic WebRTC endpoints for tests and load generation. */
package io.openmeet.testkit;
