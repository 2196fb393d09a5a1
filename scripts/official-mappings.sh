#!/usr/bin/env bash
# Regenerates the official mapping sets under crates/library/data/mappings/ from the
# publishers' crosswalks in $CROSSWALK_SHARED_DATA/crosswalks (default ../shared/data).
# Only facts are taken: the id pairs and the publisher's (untyped) relationship.
# The test `official_mapping_sets_match_their_sources` checks the result stays in sync.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${CROSSWALK_SHARED_DATA:-../shared/data}"
out=crates/library/data/mappings
bin=${CROSSWALK_BIN:-target/release/crosswalk}
[ -x "$bin" ] || cargo build --release --quiet

import() { # file from to id publisher title licence [extra flags...]
  local src; src=$(python3 -c 'import csv,sys; print(next(csv.DictReader(open(sys.argv[1], newline="")))["source"])' "$data/crosswalks/$1")
  "$bin" mappings import "$data/crosswalks/$1" --from "$2" --to "$3" --id "$4" \
    --provenance official --publisher "$5" --title "$6" --source "$src" \
    ${7:+--licence "$7"} "${@:8}" --relationship-column relationship \
    --method "Converted from the publisher's crosswalk; id pairs and relationships as published (the publisher did not type most relationships, so they stay intersects or related)." \
    --review "Official source; conversion checked by tests against the source file." \
    -o "$out/$4.toml"
}
import nist-csf-2.0__iso27001-2022.csv nist-csf-2.0 iso27001-2022 nist-csf-2.0--iso27001-2022 NIST "NIST CSF 2.0 informative references to ISO/IEC 27001:2022"
import nist-800-53r5__iso27001-2022.csv nist-800-53r5 iso27001-2022 nist-800-53r5--iso27001-2022 NIST "NIST SP 800-53 Rev. 5 to ISO/IEC 27001:2022"
import nist-csf-2.0__nist-800-53r5.csv nist-csf-2.0 nist-800-53r5 nist-csf-2.0--nist-800-53r5 NIST "NIST OLIR 186: CSF 2.0 to SP 800-53 (concept crosswalk)" "" --skip-unknown
import hipaa__nist-csf-2.0.csv hipaa-2013 nist-csf-2.0 hipaa-2013--nist-csf-2.0 NIST "HIPAA Security Rule to NIST CSF 2.0 (SP 800-66r2)"
import hipaa__nist-800-53r5.csv hipaa-2013 nist-800-53r5 hipaa-2013--nist-800-53r5 NIST "HIPAA Security Rule to NIST SP 800-53 Rev. 5 (SP 800-66r2)"
import nis2-ir-2024-2690__iso27001-2022.csv nis2-ir-2024-2690 iso27001-2022 nis2-ir-2024-2690--iso27001-2022 ENISA "NIS2 Implementing Regulation 2024/2690 to ISO/IEC 27001:2022 (ENISA)" "CC BY 4.0"
import nis2-ir-2024-2690__nist-csf-2.0.csv nis2-ir-2024-2690 nist-csf-2.0 nis2-ir-2024-2690--nist-csf-2.0 ENISA "NIS2 Implementing Regulation 2024/2690 to NIST CSF 2.0 (ENISA)" "CC BY 4.0"
import nist-csf-1.1__nist-csf-2.0.csv nist-csf-1.1 nist-csf-2.0 nist-csf-1.1--nist-csf-2.0 NIST "NIST CSF 1.1 to CSF 2.0"
