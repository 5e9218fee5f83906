package org.astroport.constellation.testsupport;

import java.io.StringWriter;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.layout.PatternLayout;

/** What the application logs while it is open (every logger, DEBUG and up), as "LEVEL logger message" lines. */
public final class LogCapture implements AutoCloseable {

    private static final String NAME = "test-capture";

    private final StringWriter lines = new StringWriter();
    private final LoggerContext context = (LoggerContext) LogManager.getContext(false);

    public LogCapture() {
        WriterAppender appender = WriterAppender.newBuilder().setName(NAME).setTarget(lines)
                .setLayout(PatternLayout.newBuilder().withPattern("%level %c{1} %msg%n").build()).build();
        appender.start();
        context.getConfiguration().getRootLogger().addAppender(appender, Level.DEBUG, null);
        context.updateLoggers();
    }

    public String text() {
        return lines.toString(); // a StringWriter's buffer is synchronized: appenders write from any thread
    }

    /** How many captured lines contain this text. */
    public long count(String text) {
        return text().lines().filter(l -> l.contains(text)).count();
    }

    @Override
    public void close() {
        context.getConfiguration().getRootLogger().removeAppender(NAME);
        context.updateLoggers();
    }
}
