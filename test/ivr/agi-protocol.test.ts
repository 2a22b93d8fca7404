import { expect } from 'chai';
import { callerIdOf, formatSetVariable, MAX_AGI_COMMAND_BYTES, parseEnvLine, parseReplyLine, quoteAgiArgument, scriptName } from '../../src/ivr/agi-protocol.js';

describe('ivr/agi-protocol', () => {
  it('parses environment lines', () => {
    expect(parseEnvLine('agi_callerid: 37999887766')).to.deep.equal(['agi_callerid', '37999887766']);
    expect(parseEnvLine('agi_accountcode: ')).to.deep.equal(['agi_accountcode', '']);
    expect(parseEnvLine('Action: Originate')).to.equal(null);
  });

  it('takes the script name from agi_network_script', () => {
    expect(scriptName({ agi_network_script: 'hubsoft-lookup' })).to.equal('hubsoft-lookup');
    expect(scriptName({ agi_network_script: '/hubsoft-lookup/?a=b' })).to.equal('hubsoft-lookup');
    expect(scriptName({})).to.equal('');
  });

  it('reads "unknown" caller ID as none', () => {
    expect(callerIdOf({ agi_callerid: 'unknown' })).to.equal('');
    expect(callerIdOf({ agi_callerid: ' 3733330000 ' })).to.equal('3733330000');
  });

  it('quotes and escapes " and \\', () => {
    expect(quoteAgiArgument('a "b" \\c')).to.equal('"a \\"b\\" \\\\c"');
  });

  it('formats SET VARIABLE as one line within the AGI buffer, even for text full of quotes', () => {
    const line = formatSetVariable('HUBSOFT_ALERTA_1', '"'.repeat(5000) + '\n', 900);
    expect(line).not.to.match(/[\r\n]/);
    expect(Buffer.byteLength(line)).to.be.at.most(MAX_AGI_COMMAND_BYTES);
    expect(() => formatSetVariable('BAD NAME', 'x', 100)).to.throw(TypeError);
  });

  it('parses replies', () => {
    expect(parseReplyLine('200 result=1')).to.deep.equal({ code: 200, result: '1', text: 'result=1', continues: false });
    expect(parseReplyLine('200 result=0 (timeout)')).to.include({ code: 200, result: '0' });
    expect(parseReplyLine('510 Invalid or unknown command')).to.include({ code: 510, result: '' });
    expect(parseReplyLine('520-Invalid command syntax.  Proper usage follows:')).to.include({ code: 520, continues: true });
    expect(parseReplyLine('HANGUP')).to.equal(null);
  });
});
