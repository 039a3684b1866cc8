package io.openmeet.transport;

/**
 * A DTLS certificate fingerprint with its hash function and setup role.
 *
 * @param hash e.g. sha-256
 * @param value upper-case hex pairs separated by colons
 * @param setup actpass, active or passive
 */
public record DtlsFingerprint(String hash, String value, String setup) {}
