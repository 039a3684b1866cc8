package io.openmeet.bridgeconfig;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${NAME}} placeholders, the same syntax envsubst and the Helm chart's helper use,
 * after checking every value against its {@link VariableKind}. HOCON results are parsed before they
 * are returned, so a caller never receives a file the bridge would reject.
 */
public final class TemplateRenderer {
  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}");

  private TemplateRenderer() {}

  /**
   * Renders one of the module's templates.
   *
   * @param values values by variable name; names the template does not use are ignored
   * @throws BridgeConfigException when a value is missing or invalid, or the result does not parse
   */
  public static String render(ConfigTemplate template, Map<String, String> values) {
    String rendered = substitute(template.relativePath(), template.text(), values);
    if (template.syntax() == ConfigTemplate.Syntax.HOCON) {
      checkHocon(template.relativePath(), rendered);
    }
    return rendered;
  }

  /** The variables a template uses, in order of first use. */
  public static Set<RenderVariable> variablesOf(ConfigTemplate template) {
    Set<RenderVariable> used = new LinkedHashSet<>();
    for (String name : placeholders(template.text())) {
      used.add(
          RenderVariable.named(name)
              .orElseThrow(() -> new UnknownVariableException(template.relativePath(), name)));
    }
    return used;
  }

  /** The placeholder names in a text, in order of first use. */
  public static Set<String> placeholders(String text) {
    Set<String> names = new LinkedHashSet<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * Substitutes placeholders in any text; exposed for callers that keep their own templates.
   *
   * @param templateName used in error messages
   */
  public static String substitute(String templateName, String text, Map<String, String> values) {
    // Validate everything before producing output, so a bad value never yields a half-rendered
    // file.
    for (String name : placeholders(text)) {
      RenderVariable variable =
          RenderVariable.named(name)
              .orElseThrow(() -> new UnknownVariableException(templateName, name));
      String value = values.get(name);
      if (value == null) {
        throw new MissingVariableException(templateName, variable);
      }
      Optional<String> problem = variable.kind().problemWith(value);
      if (problem.isPresent()) {
        throw new InvalidVariableException(variable, value, problem.get());
      }
    }
    Matcher m = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 256);
    while (m.find()) {
      RenderVariable variable = RenderVariable.valueOf(m.group(1));
      String formatted = variable.kind().format(values.get(variable.name()));
      m.appendReplacement(out, Matcher.quoteReplacement(formatted));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static void checkHocon(String templateName, String rendered) {
    try {
      ConfigFactory.parseString(
              rendered, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF))
          .resolve();
    } catch (ConfigException e) {
      throw new RenderedConfigInvalidException(
          templateName + " rendered to invalid HOCON: " + e.getMessage(), e);
    }
  }
}
