import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/transaction-nesting.js';

const NO_TX = '-- migrate:no-transaction\n';

ruleTester(rule, {
  valid: [
    { name: 'a transactional migration that leaves the transaction to the runner', up: 'CREATE TABLE users (id bigint PRIMARY KEY);', down: 'DROP TABLE users;' },
    { name: 'savepoints live inside the runner transaction', up: 'SAVEPOINT before_backfill;\nUPDATE users SET nick = email;\nRELEASE SAVEPOINT before_backfill;' },
    { name: 'a no-transaction migration may group statements itself', up: `${NO_TX}BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY);\nCOMMIT;` },
    { name: 'START TRANSACTION ... END in a no-transaction migration', up: `${NO_TX}start transaction;\ncreate table users (id bigint primary key);\nend;` },
    { name: 'two transactions in a row in a no-transaction migration', up: `${NO_TX}BEGIN;\nSELECT 1;\nCOMMIT;\nBEGIN;\nSELECT 2;\nROLLBACK;` },
    { name: 'COMMIT AND CHAIN keeps a transaction open until the last COMMIT', up: `${NO_TX}BEGIN;\nSELECT 1;\nCOMMIT AND CHAIN;\nSELECT 2;\nCOMMIT;` },
    { name: 'the no-transaction directive in the down covers the up too', up: 'BEGIN;\nSELECT 1;\nCOMMIT;', down: `${NO_TX}SELECT 1;` },
    { name: 'savepoints inside a BEGIN ... COMMIT of a no-transaction migration', up: `${NO_TX}BEGIN;\nSAVEPOINT s;\nSELECT 1;\nRELEASE SAVEPOINT s;\nCOMMIT;` },
    { name: 'the words inside a function body are not statements', up: "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN PERFORM 1; END $$;" },
  ],
  invalid: [
    { name: 'BEGIN and COMMIT inside the runner transaction', up: 'BEGIN;\nCREATE TABLE users (id bigint PRIMARY KEY);\nCOMMIT;', errors: [{ messageId: 'nestedBegin', line: 1, column: 1, endLine: 1, endColumn: 6, message: 'BEGIN inside the transaction the runner opened' }, { messageId: 'endsEarly', line: 3, column: 1, endLine: 3, endColumn: 7, message: "COMMIT ends the runner's transaction early" }] },
    { name: 'START TRANSACTION and END, lower case', up: 'start transaction;\nselect 1;\nend;', errors: [{ messageId: 'nestedBegin', line: 1, column: 1, endLine: 1, endColumn: 18, message: 'START TRANSACTION inside' }, { messageId: 'endsEarly', line: 3, column: 1, endLine: 3, endColumn: 4, message: 'END ends' }] },
    { name: 'a COMMIT alone ends the runner transaction early', up: 'CREATE INDEX idx_a ON users (email);\n  COMMIT;\nCREATE INDEX idx_b ON users (nick);', errors: [{ messageId: 'endsEarly', line: 2, column: 3, endLine: 2, endColumn: 9 }] },
    { name: 'ROLLBACK undoes what came before, and ABORT is the same', up: 'UPDATE users SET nick = email;\nROLLBACK;\nABORT;', errors: [{ messageId: 'rollback', line: 2, column: 1, endLine: 2, endColumn: 9 }, { messageId: 'rollback', line: 3, column: 1, endLine: 3, endColumn: 6, message: 'ABORT ends' }] },
    { name: 'PREPARE TRANSACTION ends it too', up: "SELECT 1;\nPREPARE TRANSACTION 'x';", errors: [{ messageId: 'endsEarly', line: 2, column: 1, endLine: 2, endColumn: 24, message: 'PREPARE TRANSACTION ends' }] },
    { name: 'in a down file', up: 'CREATE TABLE users (id bigint PRIMARY KEY);', down: 'BEGIN;\nDROP TABLE users;\nCOMMIT;', errors: [{ messageId: 'nestedBegin', line: 1, column: 1, endLine: 1, endColumn: 6, file: 'down' }, { messageId: 'endsEarly', line: 3, column: 1, endLine: 3, endColumn: 7, file: 'down' }] },
    { name: 'a nested BEGIN in a no-transaction migration', up: `${NO_TX}BEGIN;\nBEGIN;\nSELECT 1;\nCOMMIT;`, errors: [{ messageId: 'beginInBegin', line: 3, column: 1, endLine: 3, endColumn: 6 }] },
    { name: 'a COMMIT with nothing to end in a no-transaction migration', up: `${NO_TX}SELECT 1;\nCOMMIT;`, errors: [{ messageId: 'nothingToEnd', line: 3, column: 1, endLine: 3, endColumn: 7 }] },
    { name: 'a savepoint with no transaction around it in a no-transaction migration', up: `${NO_TX}SELECT 1;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;`, errors: [{ messageId: 'savepointOutside', line: 3, column: 1, endLine: 3, endColumn: 12, message: 'SAVEPOINT outside BEGIN ... COMMIT fails' }, { messageId: 'savepointOutside', line: 4, column: 1, endLine: 4, endColumn: 24, message: 'ROLLBACK TO SAVEPOINT outside' }] },
    { name: 'a BEGIN never committed in a no-transaction migration', up: `${NO_TX}SELECT 1;\nBEGIN;\nSELECT 2;`, errors: [{ messageId: 'unclosed', line: 3, column: 1, endLine: 3, endColumn: 6 }] },
  ],
});
