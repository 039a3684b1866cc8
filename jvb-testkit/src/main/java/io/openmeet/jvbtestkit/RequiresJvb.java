package io.openmeet.jvbtestkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Marks a test class that needs a real JVB: without {@code JVB_HOME} every test in it is reported
 * skipped and one line starting with {@link JvbHome#SKIPPED_PREFIX} reaches the build log. (An
 * assumption failing in {@code @BeforeAll} would hide the class from Surefire's counts.)
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(RequiresJvb.Condition.class)
public @interface RequiresJvb {

  /** Disables the class when no JVB distribution is configured; a broken one still fails. */
  final class Condition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (JvbHome.find().isPresent()) {
        return ConditionEvaluationResult.enabled("JVB_HOME is set");
      }
      String name = context.getRequiredTestClass().getName();
      String line = JvbHome.skippedLine(name.substring(name.lastIndexOf('.') + 1));
      Optional<java.lang.reflect.Method> method = context.getTestMethod();
      if (method.isEmpty()) {
        SkipLog.print(line); // once per class, not per test
      }
      return ConditionEvaluationResult.disabled(line);
    }
  }
}
