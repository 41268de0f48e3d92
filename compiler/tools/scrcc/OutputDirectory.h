//===- OutputDirectory.h - scrcc's outputs, written as one directory ------===//
//
// scrcc's outputs belong together (the layout, the programs compiled from
// it, the sequencers sized for it), so a run replaces the output directory
// as a whole: a rerun that writes fewer outputs must not leave the previous
// run's `sequencer.p4` beside a new layout. The files are written into a
// temporary sibling directory that is then swapped in with one rename.
//
//===----------------------------------------------------------------------===//

#ifndef SCRCC_TOOLS_OUTPUTDIRECTORY_H
#define SCRCC_TOOLS_OUTPUTDIRECTORY_H

#include <string>
#include <utility>
#include <vector>

namespace scrcc {

/// Whether scrcc writes files of this name (in any mode, with any --emit):
/// such a file in an existing output directory is a previous run's output
/// and is replaced or removed. Every other entry is the user's and is
/// carried over into the new directory unchanged.
bool isScrccOutputName(const std::string &Name);

/// Makes \p Dir hold exactly \p Files (name, contents) plus the entries
/// of the previous \p Dir that scrcc does not write. \p Dir's parents are
/// created when missing. Either the whole new directory is in place on
/// return, or \p Dir is unchanged and \p Err says why. When the working
/// directory is \p Dir or inside it (a swap would leave a shell there in a
/// removed directory), the files are replaced one by one instead and the
/// previous run's other outputs removed.
bool replaceOutputDirectory(
    const std::string &Dir,
    const std::vector<std::pair<std::string, std::string>> &Files,
    std::string &Err);

} // namespace scrcc

#endif
