package io.openmeet.roomapi.service;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Makes URL-safe room slugs: a readable part from the room name plus 8 random base-32 characters
 * (40 bits), so slugs are not guessable and collisions are negligible.
 */
@ApplicationScoped
public class SlugGenerator {

  /** What a slug looks like (also enforced by a CHECK constraint in the schema). */
  public static final Pattern SLUG = Pattern.compile("^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$");

  private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
  private static final int READABLE_MAX = 40;
  private final SecureRandom random = new SecureRandom();

  public String slugFor(String name) {
    String readable = readable(name);
    StringBuilder slug = new StringBuilder(readable.length() + 9);
    if (!readable.isEmpty()) {
      slug.append(readable).append('-');
    }
    for (int i = 0; i < 8; i++) {
      slug.append(ALPHABET[random.nextInt(ALPHABET.length)]);
    }
    return slug.toString();
  }

  static String readable(String name) {
    String ascii =
        Normalizer.normalize(name == null ? "" : name, Normalizer.Form.NFD)
            .replaceAll("\\p{M}+", "")
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]+", "-")
            .replaceAll("^-+|-+$", "");
    if (ascii.length() > READABLE_MAX) {
      ascii = ascii.substring(0, READABLE_MAX).replaceAll("-+$", "");
    }
    return ascii;
  }
}
