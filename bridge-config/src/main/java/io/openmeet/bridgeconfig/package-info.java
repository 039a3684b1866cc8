/**
 * One source of truth for the bridge side's configuration files: JVB's jvb.conf, Prosody's config
 * and lite-bridge's HOCON, rendered from the templates at the module root with validated variables.
 */
package io.openmeet.bridgeconfig;
