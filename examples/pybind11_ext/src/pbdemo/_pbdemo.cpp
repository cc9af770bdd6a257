// A C++ extension written with pybind11: a function, a class, and a C++ exception that
// reaches Python as ValueError.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace py = pybind11;

namespace {

int add(int a, int b) { return a + b; }

double checked_div(double a, double b) {
    if (b == 0.0) {
        throw std::invalid_argument("division by zero");
    }
    return a / b;
}

class Counter {
public:
    explicit Counter(std::string name) : name_(std::move(name)) {}
    void add(const std::vector<int> &values) {
        for (int v : values) total_ += v;
    }
    long total() const { return total_; }
    const std::string &name() const { return name_; }

private:
    std::string name_;
    long total_ = 0;
};

}  // namespace

PYBIND11_MODULE(_pbdemo, m) {
    m.doc() = "zlig's pybind11 example";
    m.def("add", &add, "Adds two integers.", py::arg("a"), py::arg("b"));
    m.def("checked_div", &checked_div, "a / b; ValueError when b is 0.");
    py::class_<Counter>(m, "Counter")
        .def(py::init<std::string>())
        .def("add", &Counter::add)
        .def_property_readonly("total", &Counter::total)
        .def_property_readonly("name", &Counter::name);
}
