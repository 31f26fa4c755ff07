package dev.passerelle.sipstack;

import gov.nist.javax.sip.parser.MessageParser;
import gov.nist.javax.sip.parser.MessageParserFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * Gives each of the RI's message channels its own {@link StrictMessageParser}: the wrapped
 * {@code StringMsgParser} keeps per-parse state, so parsers are not shared between threads.
 */
public class StrictMessageParserFactory implements MessageParserFactory {

    public StrictMessageParserFactory() {
        // The RI instantiates the factory by class name.
    }

    @Override
    public MessageParser createMessageParser(SIPTransactionStack stack) {
        return new StrictMessageParser();
    }
}
