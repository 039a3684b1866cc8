package io.openmeet.bridgeconfig;

/** The template uses a variable for which no value was given: set it and render again. */
public final class MissingVariableException extends BridgeConfigException {
  private static final long serialVersionUID = 1L;

  private final transient RenderVariable variable;

  MissingVariableException(String templateName, RenderVariable variable) {
    super(
        templateName
            + " needs "
            + variable.name()
            + " ("
            + variable.description()
            + "; "
            + variable.kind().expectation()
            + ")");
    this.variable = variable;
  }

  /** The variable that has no value. */
  public RenderVariable variable() {
    return variable;
  }
}
