package io.openmeet.focus.text;

import java.util.Locale;

/**
 * Text that breaks the {@link HumanText} policy; {@link #reason()} says how, {@link #field()}
 * where.
 */
public final class InvalidTextException extends IllegalArgumentException {

  /** How the text breaks the policy; {@link #code()} is a stable kebab-case word. */
  public enum Reason {
    /** Empty, or only white space and joiners. */
    BLANK,
    /** More code points than the kind of text allows. */
    TOO_LONG,
    /** A C0/C1 control (Unicode Cc) or a line/paragraph separator (Zl, Zp). */
    CONTROL_CHARACTER,
    /**
     * An invisible formatting character (Unicode Cf) other than ZWNJ and ZWJ, e.g. a bidi override.
     */
    FORMAT_CHARACTER,
    /** A Unicode noncharacter (U+FDD0..U+FDEF, U+xxFFFE, U+xxFFFF). */
    NONCHARACTER,
    /** A UTF-16 surrogate without its other half: not a character at all. */
    LONE_SURROGATE;

    /** The wire word, e.g. {@code control-character}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  private final String field;
  private final Reason reason;

  public InvalidTextException(String field, Reason reason, String detail) {
    super(field + ": " + detail);
    this.field = field;
    this.reason = reason;
  }

  /** The name of the field (as the client sent it) that holds the text. */
  public String field() {
    return field;
  }

  public Reason reason() {
    return reason;
  }

  /** What is wrong, without the field name. */
  public String detail() {
    return getMessage().substring(field.length() + 2);
  }
}
