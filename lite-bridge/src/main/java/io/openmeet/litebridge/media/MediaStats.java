package io.openmeet.litebridge.media;

/**
 * A snapshot of the media plane's counters, named after JVB's stats where one exists.
 *
 * @param packetRateDownload packets/s received from endpoints (last interval)
 * @param packetRateUpload packets/s sent to endpoints (last interval)
 * @param bitRateDownloadKbps kbit/s received
 * @param bitRateUploadKbps kbit/s sent
 * @param totalPacketsDropped packets from endpoints that were not used: undecryptable, malformed,
 *     garbage, another endpoint's SSRC, or unsendable
 */
public record MediaStats(
    long packetRateDownload,
    long packetRateUpload,
    long bitRateDownloadKbps,
    long bitRateUploadKbps,
    long totalPacketsReceived,
    long totalPacketsSent,
    long totalBytesReceived,
    long totalBytesSent,
    long totalIceSucceeded,
    long totalIceFailed,
    long dtlsFailedEndpoints,
    long totalPacketsDropped) {}
