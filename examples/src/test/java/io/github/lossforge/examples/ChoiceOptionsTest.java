package io.github.lossforge.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.lossforge.core.Choice;
import io.github.lossforge.core.LossInfo;
import io.github.lossforge.core.Losses;
import io.github.lossforge.core.ParamSpec;

import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every choice option of every registered loss reads well from Kotlin and Scala: the builder takes it as
 * an enum ({@code optX(TheEnum)}) whose words are exactly the registry's, beside {@code optX(String)},
 * which parses case-insensitively and names the loss and the option when the word is wrong; and no
 * method of a loss or its builder takes an {@code Object}.
 */
class ChoiceOptionsTest {

    @Test
    void everyWordOptionHasAnEnumOverloadWithTheRegistrysWords() {
        List<String> checked = new ArrayList<>();
        for (String id : Losses.ids()) {
            LossInfo info = Losses.info(id);
            for (ParamSpec spec : choiceOptions(info)) {
                Class<?> builder = builderClass(info);
                Method typed = enumSetter(builder, spec.name());
                assertThat(typed).as(id + ": builder opt" + capitalised(spec.name()) + "(enum)").isNotNull();
                @SuppressWarnings({"unchecked", "rawtypes"})
                List<String> keys = Choice.keys((Class) typed.getParameterTypes()[0]);
                assertThat(keys).as(id + ": words of " + spec.name()).containsExactlyElementsOf(spec.words());
                checked.add(id + "." + spec.name());
            }
        }
        assertThat(checked).contains("unpg.head", "triplet-margin.mining", "nt-xent.pseudoLabels", "dco.mode",
                "betti-matching.filtration", "pansharpening.sensor",
                "pansharpening.mtf", "dice.aggregation", "tversky.aggregation");
    }

    @Test
    void wordsParseCaseInsensitivelyAndBadWordsNameTheLossAndTheOption() throws ReflectiveOperationException {
        for (String id : Losses.ids()) {
            LossInfo info = Losses.info(id);
            for (ParamSpec spec : choiceOptions(info)) {
                Method byWord = builderClass(info).getMethod("opt" + capitalised(spec.name()), String.class);
                for (String word : spec.words()) {
                    byWord.invoke(newBuilder(info), word.toUpperCase(Locale.ROOT));
                }
                assertThatThrownBy(() -> invoke(byWord, newBuilder(info), "no-such-word"))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(id).hasMessageContaining(spec.name())
                        .hasMessageContaining("no-such-word").hasMessageContaining(spec.words().get(1));
            }
        }
    }

    @Test
    void theRegistryAcceptsEveryWordInAnyCase() {
        Losses.create("triplet-margin", Map.of("mining", "HARD"));
        Losses.create("nt-xent", Map.of("pseudoLabels", "Positive"));
        Losses.create("cce", Map.of("filterEps", "NONE", "blockSize", "Auto"));
        Losses.create("cce", Map.of("filterEps", 1e-4, "blockSize", 256));
        assertThatThrownBy(() -> Losses.create("unpg", Map.of("head", "sphereface")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpg")
                .hasMessageContaining("head").hasMessageContaining("arcface, cosface");
    }

    @Test
    void noLossOrBuilderMethodTakesAnObject() {
        for (String id : Losses.ids()) {
            LossInfo info = Losses.info(id);
            for (Class<?> type : Arrays.asList(info.lossClass(), builderClass(info))) {
                if (type == null) {
                    continue;
                }
                for (Method m : type.getMethods()) {
                    if (m.getDeclaringClass() != Object.class) {
                        assertThat(Arrays.asList(m.getParameterTypes())).as(id + ": " + m)
                                .doesNotContain(Object.class);
                    }
                }
            }
        }
    }

    /** The word parameters with a choice (more than one word), besides the reduction every loss takes. */
    private static List<ParamSpec> choiceOptions(LossInfo info) {
        List<ParamSpec> options = new ArrayList<>();
        for (ParamSpec spec : info.parameters()) {
            if (spec.kind() == ParamSpec.Kind.WORD && spec.words().size() > 1
                    && !spec.name().equals(LossInfo.REDUCTION)) {
                options.add(spec);
            }
        }
        return options;
    }

    private static Class<?> builderClass(LossInfo info) {
        try {
            return info.lossClass().getMethod("builder").getReturnType();
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Object newBuilder(LossInfo info) throws ReflectiveOperationException {
        return info.lossClass().getMethod("builder").invoke(null);
    }

    private static Method enumSetter(Class<?> builder, String name) {
        for (Method m : builder.getMethods()) {
            if (m.getName().equals("opt" + capitalised(name)) && m.getParameterCount() == 1
                    && m.getParameterTypes()[0].isEnum() && Choice.class.isAssignableFrom(m.getParameterTypes()[0])
                    && Modifier.isPublic(m.getModifiers())) {
                return m;
            }
        }
        return null;
    }

    private static void invoke(Method m, Object target, Object arg) throws Throwable {
        try {
            m.invoke(target, arg);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static String capitalised(String name) {
        return Character.toUpperCase(name.charAt(0)) + name.substring(1);
    }
}
