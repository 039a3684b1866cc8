package io.openmeet.roomapi.regions;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Another region: its name and the base URL its room links and API live under. */
public record Peer(String region, URI baseUrl) {

  private static final Pattern REGION = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * Parses {@code <region>=<http(s)://host[:port]>} entries, leaving out {@code localRegion}.
   *
   * @throws IllegalArgumentException naming the first entry that is not of that form, or a region
   *     named twice
   */
  public static List<Peer> parse(List<String> entries, String localRegion) {
    Map<String, Peer> peers = new LinkedHashMap<>();
    for (String raw : entries) {
      String entry = raw.trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      if (eq <= 0) {
        throw invalid(entry, "expected <region>=<base URL>");
      }
      String region = entry.substring(0, eq).trim();
      if (!REGION.matcher(region).matches()) {
        throw invalid(entry, "the region name may hold letters, digits, '.', '_' and '-' only");
      }
      URI url;
      try {
        url = URI.create(entry.substring(eq + 1).trim().replaceAll("/+$", ""));
      } catch (IllegalArgumentException e) {
        throw invalid(entry, "the base URL does not parse");
      }
      if (!("https".equals(url.getScheme()) || "http".equals(url.getScheme()))
          || url.getHost() == null
          || !(url.getRawPath() == null || url.getRawPath().isEmpty())
          || url.getRawQuery() != null
          || url.getRawFragment() != null
          || url.getRawUserInfo() != null) {
        throw invalid(entry, "the base URL must be http(s)://host[:port] without a path");
      }
      if (peers.containsKey(region)) {
        throw invalid(entry, "region " + region + " is named twice");
      }
      peers.put(region, new Peer(region, url));
    }
    List<Peer> others = new ArrayList<>(peers.values());
    others.removeIf(p -> p.region().equals(localRegion));
    return List.copyOf(others);
  }

  private static IllegalArgumentException invalid(String entry, String why) {
    return new IllegalArgumentException(
        "openmeet.regions.peers entry '" + entry + "' is invalid: " + why);
  }
}
