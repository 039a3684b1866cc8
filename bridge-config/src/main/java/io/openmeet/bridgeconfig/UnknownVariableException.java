package io.openmeet.bridgeconfig;

/** A template uses a placeholder that is not a {@link RenderVariable}: a bug in the template. */
public final class UnknownVariableException extends BridgeConfigException {
  private static final long serialVersionUID = 1L;

  private final String placeholder;

  UnknownVariableException(String templateName, String placeholder) {
    super(
        templateName
            + " uses ${"
            + placeholder
            + "}, which is not a known render variable (see RenderVariable)");
    this.placeholder = placeholder;
  }

  /** The unknown placeholder's name. */
  public String placeholder() {
    return placeholder;
  }
}
