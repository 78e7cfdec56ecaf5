"""ClusterNode trees (scipy's to_tree) and DisjointSet, in Python."""

from ._validate import check_linkage


class ClusterNode:
    """A node of the cluster tree: a leaf (an observation) or a merge."""

    def __init__(self, id, left=None, right=None, dist=0.0, count=1):
        if id < 0:
            raise ValueError("The id must be non-negative.")
        if dist < 0:
            raise ValueError("The distance must be non-negative.")
        if (left is None and right is not None) or (left is not None and right is None):
            raise ValueError("Only full or proper binary trees are permitted."
                             "  This node has one child.")
        if count < 1:
            raise ValueError("A cluster must contain at least one original observation.")
        self.id = id
        self.left = left
        self.right = right
        self.dist = dist
        if self.left is None:
            self.count = count
        else:
            self.count = left.count + right.count

    def __lt__(self, node):
        if not isinstance(node, ClusterNode):
            raise ValueError(f"Can't compare ClusterNode to type {type(node)}")
        return self.dist < node.dist

    def __gt__(self, node):
        if not isinstance(node, ClusterNode):
            raise ValueError(f"Can't compare ClusterNode to type {type(node)}")
        return self.dist > node.dist

    def __eq__(self, node):
        if not isinstance(node, ClusterNode):
            raise ValueError(f"Can't compare ClusterNode to type {type(node)}")
        return self.dist == node.dist

    __hash__ = object.__hash__

    def get_id(self):
        """The node's id (an observation for a leaf, n + i for merge i)."""
        return self.id

    def get_count(self):
        """The number of observations under the node."""
        return self.count

    def get_left(self):
        """The left child (None for a leaf)."""
        return self.left

    def get_right(self):
        """The right child (None for a leaf)."""
        return self.right

    def is_leaf(self):
        """Whether the node is a leaf."""
        return self.left is None

    def pre_order(self, func=(lambda x: x.id)):
        """func of each leaf under the node, left to right (no recursion)."""
        out = []
        stack = [self]
        while stack:
            nd = stack.pop()
            if nd.is_leaf():
                out.append(func(nd))
            else:
                stack.append(nd.right)
                stack.append(nd.left)
        return out


def to_tree(Z, rd=False):
    """The tree of Z as ClusterNode objects: the root, or (root, list of
    every node by id) with rd=True."""
    Z = check_linkage(Z)
    n = Z.shape[0] + 1
    d = [None] * (n * 2 - 1)
    for i in range(n):
        d[i] = ClusterNode(i)
    nd = None
    for i, row in enumerate(Z):
        fi, fj = int(row[0]), int(row[1])
        if fi > i + n:
            raise ValueError(f"Corrupt matrix Z. Index to derivative cluster is used before it is formed. See row {fi}, column 0")
        if fj > i + n:
            raise ValueError(f"Corrupt matrix Z. Index to derivative cluster is used before it is formed. See row {fj}, column 1")
        nd = ClusterNode(i + n, d[fi], d[fj], row[2])
        if row[3] != nd.count:
            raise ValueError(f"Corrupt matrix Z. The count Z[{i},3] is incorrect.")
        d[n + i] = nd
    if rd:
        return (nd, d)
    return nd


class DisjointSet:
    """Disjoint set (union-find) of hashable elements, as scipy's."""

    def __init__(self, elements=None):
        self.n_subsets = 0
        self._sizes = {}
        self._parents = {}
        self._nbrs = {}
        self._indices = {}
        if elements is not None:
            for x in elements:
                self.add(x)

    def __iter__(self):
        return iter(self._indices)

    def __len__(self):
        return len(self._indices)

    def __contains__(self, x):
        return x in self._indices

    def __getitem__(self, x):
        """The root element of x's subset."""
        if x not in self._indices:
            raise KeyError(x)
        parents = self._parents
        while self._indices[x] != self._indices[parents[x]]:
            parents[x] = parents[parents[x]]
            x = parents[x]
        return x

    def add(self, x):
        """Adds x as a subset of its own (nothing if present)."""
        if x in self._indices:
            return
        self._sizes[x] = 1
        self._parents[x] = x
        self._nbrs[x] = x
        self._indices[x] = len(self._indices)
        self.n_subsets += 1

    def merge(self, x, y):
        """Merges the subsets of x and y; False when they were one."""
        xr = self[x]
        yr = self[y]
        if self._indices[xr] == self._indices[yr]:
            return False
        sizes = self._sizes
        if (sizes[xr], self._indices[yr]) < (sizes[yr], self._indices[xr]):
            xr, yr = yr, xr
        self._parents[yr] = xr
        self._sizes[xr] += self._sizes[yr]
        self._nbrs[xr], self._nbrs[yr] = self._nbrs[yr], self._nbrs[xr]
        self.n_subsets -= 1
        return True

    def connected(self, x, y):
        """Whether x and y are in one subset."""
        return self._indices[self[x]] == self._indices[self[y]]

    def subset(self, x):
        """The subset holding x, as a set."""
        if x not in self._indices:
            raise KeyError(x)
        result = [x]
        nxt = self._nbrs[x]
        while self._indices[nxt] != self._indices[x]:
            result.append(nxt)
            nxt = self._nbrs[nxt]
        return set(result)

    def subset_size(self, x):
        """The size of the subset holding x."""
        return self._sizes[self[x]]

    def subsets(self):
        """Every subset, as a list of sets."""
        result = []
        visited = set()
        for x in self:
            if x not in visited:
                xset = self.subset(x)
                visited.update(xset)
                result.append(xset)
        return result
