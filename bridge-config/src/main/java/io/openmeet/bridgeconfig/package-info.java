/** bridge-config. */
package io.openmeet.bridgeconfig;
