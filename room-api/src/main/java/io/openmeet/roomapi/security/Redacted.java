package io.openmeet.roomapi.security;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Locale;

/** A record's toString with the values of its secret components (password, secret) masked. */
public final class Redacted {

  private Redacted() {}

  /**
   * Like a record's own toString, but a component whose name contains "password" or "secret" shows
   * {@code ***} when set (null stays null), so request bodies can be logged without leaking.
   */
  public static String toString(Record record) {
    StringBuilder out = new StringBuilder(record.getClass().getSimpleName()).append('[');
    RecordComponent[] components = record.getClass().getRecordComponents();
    for (int i = 0; i < components.length; i++) {
      RecordComponent c = components[i];
      Object value;
      try {
        value = c.getAccessor().invoke(record);
      } catch (IllegalAccessException | InvocationTargetException e) {
        value = "?";
      }
      if (value != null && isSecret(c.getName())) {
        value = "***";
      }
      out.append(i == 0 ? "" : ", ").append(c.getName()).append('=').append(value);
    }
    return out.append(']').toString();
  }

  private static boolean isSecret(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("password") || n.contains("secret");
  }
}
