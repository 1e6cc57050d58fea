package hello;

import java.util.Arrays;
import org.apache.commons.lang3.StringUtils;

/** Entry point of the hello-maven example: a greeting built with its one dependency. */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        // capitalize and join come from commons-lang3, so this output proves the classpath is whole.
        System.out.println(StringUtils.capitalize("hello from hello-maven 1.0"));
        System.out.println("using commons-lang3 " + StringUtils.class.getPackage().getImplementationVersion());
        System.out.println("args = " + StringUtils.join(Arrays.asList(args), ", "));
    }
}
